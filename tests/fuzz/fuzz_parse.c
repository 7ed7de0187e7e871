/*
 * fuzz_parse.c - facts extraction over arbitrary C text (tree.c, parse.c).
 *
 * Input: the text of one .c file of a revision.  It is parsed the way a run
 * parses a tree file -- the include closure of fixtures/example and the stub
 * headers, through libclang's unsaved files -- one translation unit per
 * input, and the facts go through the model as in a run.  The fixture
 * repository is built once, in a temporary directory removed at exit.
 */
#include <stdio.h>

#include "model/conv.h"
#include "fixture_repo.h"
#include "fuzz_util.h"
#include "model/model.h"
#include "frontend/parse.h"
#include "git/repo.h"
#include "frontend/tree.h"

static char *tmp_dir;
static mc_conv conv;
static mc_repo *repo;
static mc_snapshot *snap;
static mc_tree *tree;
static mc_parser *parser;

static void fuzz_parse_cleanup(void)
{
	mc_parser_free(parser);
	mc_tree_free(tree);
	mc_snapshot_free(snap);
	mc_repo_free(repo);
	mc_conv_free(&conv);
	mc_test_rmtree(tmp_dir);
	free(tmp_dir);
}

static void fuzz_parse_die(const char *what)
{
	fprintf(stderr, "fuzz_parse: %s: %s\n", what, mc_error_last());
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* libclang's crash recovery would take SIGABRT/SIGSEGV from libFuzzer and the sanitizers. */
	setenv("LIBCLANG_DISABLE_CRASH_RECOVERY", "1", 1);
	tmp_dir = mc_test_tempdir("fuzz-parse");
	char *repo_dir = mc_sprintf("%s/repo", tmp_dir);
	if (!tmp_dir || mc_fixture_repo_build(MC_SOURCE_DIR "/fixtures/example", repo_dir) < 0)
		fuzz_parse_die("building the fixture repository");
	mc_oid base;
	if (mc_conv_load_builtin(&conv) < 0)
		fuzz_parse_die("conventions");
	if (mc_repo_open(&repo, repo_dir) < 0 || mc_repo_resolve(repo, &base, "base") < 0 ||
	    mc_snapshot_from_commit(&snap, repo, &base, "base") < 0)
		fuzz_parse_die("opening the fixture repository");
	free(repo_dir);
	if (mc_tree_open(&tree, snap, &conv) < 0 || mc_parser_new(&parser) < 0)
		fuzz_parse_die("preparing the tree");
	atexit(fuzz_parse_cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = mc_fuzz_text(data, size);
	mc_tu_input in;
	if (mc_tree_prepare(tree, "hw/misc/fuzz-dev.c", text, &in) == 0) {
		mc_facts *f = NULL;
		MC_FUZZ_CHECK(mc_parser_run(parser, tree, "hw/misc/fuzz-dev.c", &in, &f) == 0 && f);
		/* What a run keeps of the file: its facts through the cache, and the model. */
		char *json = mc_facts_to_json(f);
		mc_facts *g = NULL;
		if (mc_facts_from_json(&g, json) < 0)
			fprintf(stderr, "fuzz_parse: facts do not read back (%s): %s\n", mc_error_last(), json);
		MC_FUZZ_CHECK(g != NULL);
		mc_facts_free(g);
		free(json);
		mc_model *m = NULL;
		if (mc_model_build(&m, &f, 1, &conv, tree->version) == 0)
			mc_model_free(m);
		mc_facts_free(f);
		mc_tu_input_free(&in);
	}
	mc_error_clear();
	free(text);
	return 0;
}
