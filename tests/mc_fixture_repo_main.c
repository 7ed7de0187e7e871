/*
 * mc-fixture-repo FIXTURE_DIR OUT_DIR
 *
 * Builds the git repository described by a fixture directory (see
 * tests/support/fixture_repo.h): branch "base" from FIXTURE_DIR/tree and one
 * branch per FIXTURE_DIR/steps/NN-slug, with HEAD and the work tree at base.
 * Used by the tests and by scripts/demo.
 */
#include <stdio.h>
#include <string.h>

#include "fixture_repo.h"

static void usage(FILE *f)
{
	fputs("usage: mc-fixture-repo FIXTURE_DIR OUT_DIR\n"
	      "Builds a git repository from a fixture (tree/ and steps/) into OUT_DIR,\n"
	      "which must not exist or be empty.  Branches: base, and one per step.\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	return mc_fixture_repo_build(argv[1], argv[2]) == 0 ? 0 : 1;
}
