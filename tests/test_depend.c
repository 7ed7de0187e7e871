/*
 * test_depend.c - may a file keep its facts when only headers it includes
 * changed (frontend/depend.h)?
 *
 * Each case is a main file and the two versions of one header (another,
 * unchanged header where a case needs it), made into the two include
 * closures tree.c would prepare; the answer, and for a refusal its reason,
 * are checked.  Reuse must be refused whenever the change can reach what
 * the main file reads: a wrong reuse is a wrong answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "frontend/build.h"
#include "frontend/depend.h"
#include "frontend/tree.h"
#include "util/util.h"

/* A closure: the main file hw/dev.c, then include/a.h, then include/b.h when b is given. */
static void closure(mc_tu_input *in, const char *main_text, const char *a, const char *b)
{
	memset(in, 0, sizeof(*in));
	const char *paths[] = { "hw/dev.c", "include/a.h", "include/b.h" };
	const char *texts[] = { main_text, a, b };
	size_t n = b ? 3 : 2;
	in->files = mc_calloc(n, sizeof(mc_tu_file));
	for (size_t i = 0; i < n; i++) {
		in->files[i].filename = mc_sprintf("%s/%s", MC_TREE_ROOT, paths[i]);
		in->files[i].contents = mc_strdup(texts[i]);
		in->files[i].length = strlen(texts[i]);
		in->files[i].owned = 1;
		if (i > 0) {
			char hex[41];
			mc_hash_text(texts[i], strlen(texts[i]), hex);
			mc_strvec_push_owned(&in->deps, mc_sprintf("%s:%s", paths[i], hex));
		}
	}
	in->nfiles = n;
	in->main_path = mc_strdup(in->files[0].filename);
	mc_strvec_sort(&in->deps);
}

/* Judges two closures the caller made, frees them, and returns the reason of a refusal ("" when kept). */
static const char *judge(mc_tu_input *had, mc_tu_input *now, int expect_hold)
{
	static char *last;
	free(last);
	mc_depend *d;
	mc_depend_new(&d);
	assert_int_equal(mc_depend_facts_hold(d, had, now, NULL, &last), expect_hold);
	mc_tu_input_free(had);
	mc_tu_input_free(now);
	mc_depend_free(d);
	return last ? last : "";
}

/* Returns 1 (facts hold) or 0; *why is kept in a static buffer for the checks. */
static int hold3(const char *main_text, const char *old_a, const char *new_a, const char *b, const char *json,
		 char **why)
{
	static char *last;
	free(last);
	mc_depend *d;
	mc_depend_new(&d);
	mc_tu_input had, now;
	closure(&had, main_text, old_a, b);
	closure(&now, main_text, new_a, b);
	int r = mc_depend_facts_hold(d, &had, &now, json, &last);
	mc_tu_input_free(&had);
	mc_tu_input_free(&now);
	mc_depend_free(d);
	if (why)
		*why = last ? last : "";
	return r;
}

static int hold(const char *main_text, const char *old_a, const char *new_a, char **why)
{
	return hold3(main_text, old_a, new_a, NULL, NULL, why);
}

static void expect_refused(const char *main_text, const char *old_a, const char *new_a, const char *b,
			   const char *reason)
{
	char *why;
	if (hold3(main_text, old_a, new_a, b, NULL, &why))
		fail_msg("kept, expected a parse (%s)", reason);
	if (!strstr(why, reason))
		fail_msg("refused for \"%s\", expected \"%s\"", why, reason);
}

static const char *const proto_old = "#ifndef A_H\n#define A_H\n"
				     "typedef struct Dev Dev;\n"
				     "void dev_reset(Dev *d);\n"
				     "int dev_big_endian(Dev *d) G_GNUC_WARN_UNUSED_RESULT;\n"
				     "#endif\n";
static const char *const proto_new = "#ifndef A_H\n#define A_H\n"
				     "typedef struct Dev Dev;\n"
				     "void dev_reset(Dev *d);\n"
				     "int dev_big_endian(const Dev *d) G_GNUC_WARN_UNUSED_RESULT;\n"
				     "#endif\n";

/* A const added to a prototype: only a file that names the function parses again. */
static void test_constified_prototype(void **state)
{
	(void)state;
	char *why;
	const char *props = "#include \"a.h\"\nstatic Property p[] = { DEFINE_PROP_UINT32(\"x\", Dev, x, 4) };\n"
			    "void f(Dev *d) { dev_reset(d); }\n";
	assert_int_equal(hold(props, proto_old, proto_new, &why), 1);
	const char *caller = "#include \"a.h\"\nint g(Dev *d) { return dev_big_endian(d); }\n";
	assert_int_equal(hold(caller, proto_old, proto_new, &why), 0);
	assert_non_null(strstr(why, "dev_big_endian"));
}

/* Comments and blanks are not declarations. */
static void test_comment_only(void **state)
{
	(void)state;
	const char *main_text = "#include \"a.h\"\nint x = DEV_DEFAULT;\n";
	assert_int_equal(hold(main_text, "#define DEV_DEFAULT 4\n", "/* the default */\n#define  DEV_DEFAULT   4\n",
			      NULL),
			 1);
}

/* A macro read through another macro of another header: the chain is followed. */
static void test_macro_chain(void **state)
{
	(void)state;
	const char *main_text = "#include \"b.h\"\nstatic int q = DEV_QUEUE;\n";
	const char *b = "#include \"a.h\"\n#define DEV_QUEUE (BASE_QUEUE * 2)\n";
	expect_refused(main_text, "#define BASE_QUEUE 128\n#define OTHER 1\n", "#define BASE_QUEUE 256\n#define OTHER 1\n",
		       b, "reads BASE_QUEUE");
	/* The other macro of the same header changes: nothing read changes. */
	char *why;
	assert_int_equal(hold3(main_text, "#define BASE_QUEUE 128\n#define OTHER 1\n",
			       "#define BASE_QUEUE 128\n#define OTHER 2\n", b, NULL, &why),
			 1);
}

/* A struct member resized: a file whose VMState names the struct through a typedef parses again. */
static void test_struct_layout(void **state)
{
	(void)state;
	const char *main_text = "#include \"b.h\"\nVMSTATE_UINT32(regs, DevState)\n";
	const char *b = "#include \"a.h\"\ntypedef struct DevState { Regs regs; } DevState;\n";
	expect_refused(main_text, "typedef struct Regs { uint32_t r[4]; } Regs;\n",
		       "typedef struct Regs { uint32_t r[8]; } Regs;\n", b, "reads Regs");
}

/* An anonymous struct has no tag: its first member's type is not declared by it. */
static void test_anonymous_struct(void **state)
{
	(void)state;
	char *why;
	assert_int_equal(hold("#include \"a.h\"\nbool x;\n", "typedef struct {\n    bool engaged;\n} Guard;\n",
			      "typedef struct Guard {\n    bool engaged;\n} Guard;\n", &why),
			 1);
	expect_refused("#include \"a.h\"\nGuard g;\n", "typedef struct {\n    bool engaged;\n} Guard;\n",
		       "typedef struct Guard {\n    bool engaged;\n} Guard;\n", NULL, "reads Guard");
}

/* An enumerator inserted before the one a default names shifts its value. */
static void test_enum_shift(void **state)
{
	(void)state;
	expect_refused("#include \"a.h\"\nint mode = MODE_FAST;\n", "enum Mode { MODE_SLOW, MODE_FAST };\n",
		       "enum Mode { MODE_SLOW, MODE_MEDIUM, MODE_FAST };\n", NULL, "reads MODE_FAST");
}

/* #include and #pragma change the structure: never judged. */
static void test_directives_refused(void **state)
{
	(void)state;
	const char *main_text = "#include \"a.h\"\nint x;\n";
	expect_refused(main_text, "#include \"c.h\"\n", "#include \"d.h\"\n", NULL, "a directive changed");
	expect_refused(main_text, "#pragma pack(1)\n", "#pragma pack(4)\n", NULL, "a directive changed");
	/* An #include under a changed condition: the closure lists it either way. */
	expect_refused(main_text, "#ifdef CONFIG_X\n#include \"c.h\"\n#endif\n",
		       "#ifndef CONFIG_X\n#include \"c.h\"\n#endif\n", NULL, "a condition around a directive changed");
}

/* A changed condition changes what its group declares, even inside a struct read while it was open. */
static void test_changed_condition(void **state)
{
	(void)state;
	const char *old_a = "#ifdef CONFIG_X\nint y;\n#endif\nint z;\n";
	const char *new_a = "#if defined(CONFIG_X) && defined(CONFIG_Y)\nint y;\n#endif\nint z;\n";
	char *why;
	assert_int_equal(hold("#include \"a.h\"\nint x = z;\n", old_a, new_a, &why), 1);
	expect_refused("#include \"a.h\"\nint x = y;\n", old_a, new_a, NULL, "reads y");
	const char *old_s = "typedef struct DevState {\n    int a;\n#ifdef CONFIG_X\n    int b;\n#endif\n} DevState;\n";
	const char *new_s = "typedef struct DevState {\n    int a;\n#ifdef CONFIG_Y\n    int b;\n#endif\n} DevState;\n";
	expect_refused("#include \"a.h\"\nVMSTATE_INT32(a, DevState)\n", old_s, new_s, NULL, "reads DevState");
}

/* A declaration moved out of an #ifdef block is a changed chunk: judged by what it declares. */
static void test_moved_out_of_conditional(void **state)
{
	(void)state;
	const char *old_a = "#ifdef CONFIG_X\nint dev_limit;\n#endif\nint other;\n";
	const char *new_a = "#ifdef CONFIG_X\n#endif\nint dev_limit;\nint other;\n";
	expect_refused("#include \"a.h\"\nint x = sizeof(dev_limit);\n", old_a, new_a, NULL, "reads dev_limit");
}

/* What a token-pasting macro declares is not in the text: a change to its use is refused. */
static void test_pasting_macro(void **state)
{
	(void)state;
	const char *b = "#define DECLARE_CHECKER(T, N) T *N(void *obj); static const char *TYPE_##N;\n";
	const char *main_text = "#include \"b.h\"\n#include \"a.h\"\nint x;\n";
	expect_refused(main_text, "DECLARE_CHECKER(Dev, DEV)\n", "DECLARE_CHECKER(Dev, DEVICE)\n", b,
		       "token-pasting macro");
}

/* A macro invoked at file scope declares what its expansion names. */
static void test_macro_declares(void **state)
{
	(void)state;
	const char *b = "#define DECLARE_LIMIT int dev_limit;\n";
	/* Without its ';', the invocation is one declaration with the next line. */
	expect_refused("#include \"b.h\"\n#include \"a.h\"\nint x = sizeof(dev_limit);\n", "DECLARE_LIMIT\nint other;\n",
		       "DECLARE_LIMIT\nlong other;\n", b, "reads dev_limit");
	/* A declaration of another name next to it is not read. */
	char *kept_why;
	assert_int_equal(hold3("#include \"b.h\"\n#include \"a.h\"\nint x = sizeof(dev_limit);\n",
			       "int other;\nDECLARE_LIMIT\n", "long other;\nDECLARE_LIMIT\n", b, NULL, &kept_why),
			 1);
	/* The body of that macro changes in its header: the file reads the macro through dev_limit. */
	mc_tu_input had, now;
	closure(&had, "#include \"a.h\"\nint x = sizeof(dev_limit);\n", "#define DECLARE_LIMIT int dev_limit\n",
		"DECLARE_LIMIT;\n");
	closure(&now, "#include \"a.h\"\nint x = sizeof(dev_limit);\n", "#define DECLARE_LIMIT long dev_limit\n",
		"DECLARE_LIMIT;\n");
	assert_non_null(strstr(judge(&had, &now, 0), "reads DECLARE_LIMIT"));
}

/* Branches of an #if that open a function twice cannot be cut into declarations. */
static void test_unbalanced_branches(void **state)
{
	(void)state;
	const char *old_a = "#ifdef X\nvoid f(void) {\n#else\nvoid f(int a);\n#endif\n}\nint y;\n";
	const char *new_a = "#ifdef X\nvoid f(void) {\n#else\nvoid f(int a);\n#endif\n}\nlong y;\n";
	expect_refused("#include \"a.h\"\nint x;\n", old_a, new_a, NULL, "cannot be delimited");
	/* Branches are read as if one of them were compiled: two openings of one function balance. */
	const char *twice_old = "#ifdef X\nvoid f(void) {\n#else\nvoid f(int a) {\n#endif\n}\nint y;\n";
	const char *twice_new = "#ifdef X\nvoid f(void) {\n#else\nvoid f(int a) {\n#endif\n}\nlong y;\n";
	char *twice_why;
	assert_int_equal(hold("#include \"a.h\"\nint x;\n", twice_old, twice_new, &twice_why), 1);
	assert_int_equal(hold("#include \"a.h\"\nint x = y;\n", twice_old, twice_new, &twice_why), 0);
	const char *ok_old = "#ifdef X\nvoid f(void) {\n}\n#else\nvoid f(int a) {\n}\n#endif\nint y;\n";
	const char *ok_new = "#ifdef X\nvoid f(void) {\n}\n#else\nvoid f(int a) {\n}\n#endif\nlong y;\n";
	char *why;
	assert_int_equal(hold("#include \"a.h\"\nint x;\n", ok_old, ok_new, &why), 1);
}

/* C++'s extern "C" { under #ifdef __cplusplus is not compiled: what follows is at file scope. */
static void test_extern_c(void **state)
{
	(void)state;
	const char *old_a = "#ifdef __cplusplus\nextern \"C\" {\n#endif\nint dev_count(void);\nint other;\n"
			    "#ifdef __cplusplus\n}\n#endif\n";
	const char *new_a = "#ifdef __cplusplus\nextern \"C\" {\n#endif\nlong dev_count(void);\nint other;\n"
			    "#ifdef __cplusplus\n}\n#endif\n";
	expect_refused("#include \"a.h\"\nint x = dev_count();\n", old_a, new_a, NULL, "reads dev_count");
	char *why;
	assert_int_equal(hold("#include \"a.h\"\nint x = other;\n", old_a, new_a, &why), 1);
	/* Any other condition around one bracket: the depth after it is unknown. */
	const char *odd_old = "#ifdef CONFIG_X\nstruct S {\n#endif\nint a;\n#ifdef CONFIG_X\n};\n#endif\n";
	const char *odd_new = "#ifdef CONFIG_X\nstruct S {\n#endif\nlong a;\n#ifdef CONFIG_X\n};\n#endif\n";
	expect_refused("#include \"a.h\"\nint x;\n", odd_old, odd_new, NULL, "cannot be delimited");
}

/* Facts that carry a line of the changed header would point at a stale line. */
static void test_facts_pointing_into_header(void **state)
{
	(void)state;
	char *why;
	const char *json = "{\"path\":\"hw/dev.c\",\"vmsds\":[{\"fields\":[{\"mfile\":\"include/a.h\",\"mline\":3}]}]}";
	assert_int_equal(hold3("#include \"a.h\"\nint x;\n", "int a;\n", "/* moved */\nint a;\n", NULL, json, &why), 0);
	assert_non_null(strstr(why, "point into include/a.h"));
}

/* A closure with another file is a change of structure. */
static void test_closure_changed(void **state)
{
	(void)state;
	mc_tu_input had, now;
	closure(&had, "#include \"a.h\"\n", "int a;\n", NULL);
	closure(&now, "#include \"a.h\"\n", "int a;\n#include \"b.h\"\n", "int b;\n");
	assert_non_null(strstr(judge(&had, &now, 0), "include closure changed"));
}

/* A header the tree read as empty (binary, huge) cannot be compared. */
static void test_refused_header(void **state)
{
	(void)state;
	mc_tu_input had, now;
	closure(&had, "#include \"a.h\"\n", "int a;\n", NULL);
	closure(&now, "#include \"a.h\"\n", "long a;\n", NULL);
	mc_strvec_push(&now.refused, "include/a.h\nbinary");
	assert_non_null(strstr(judge(&had, &now, 0), "not read as text"));
}

/* A header included inside an enum declares enumerators no chunk of it shows at file scope. */
static void test_nested_include(void **state)
{
	(void)state;
	const char *b = "enum Regs {\n#include \"a.h\"\n};\n";
	expect_refused("#include \"b.h\"\nint x = sizeof(enum Regs);\n", "REG_A,\n", "REG_B, REG_A,\n", b,
		       "include/a.h, included inside a declaration, changed");
	/* After a macro invocation without its ';', an #include is at file scope. */
	char *why;
	assert_int_equal(hold3("#include \"b.h\"\nint x;\n", "int a;\n", "long a;\n",
			       "DEFINE_CLEANUP(Dev, dev_free)\n#include \"a.h\"\n", NULL, &why),
			 1);
	/* An X-macro list included in an enum is read whole: the macro it names is read. */
	mc_tu_input had, now;
	const char *main_text = "#include \"a.h\"\nenum Feat {\n#include \"b.h\"\n};\nint n = FEAT_MAX;\n";
	closure(&had, main_text, "#define DEF_FEAT(n) FEAT_##n,\nint other;\n", "DEF_FEAT(SSE)\n");
	closure(&now, main_text, "#define DEF_FEAT(n) FEAT_##n = 1 << __COUNTER__,\nint other;\n", "DEF_FEAT(SSE)\n");
	assert_non_null(strstr(judge(&had, &now, 0), "reads DEF_FEAT"));
	closure(&had, main_text, "#define DEF_FEAT(n) FEAT_##n,\nint other;\n", "DEF_FEAT(SSE)\n");
	closure(&now, main_text, "#define DEF_FEAT(n) FEAT_##n,\nlong other;\n", "DEF_FEAT(SSE)\n");
	judge(&had, &now, 1);
}

/* A new macro of a name the file writes (an #ifdef of it, say) is read. */
static void test_new_macro_named_by_file(void **state)
{
	(void)state;
	expect_refused("#include \"a.h\"\n#ifdef DEV_HAS_IRQ\nint irq = 1;\n#endif\n", "int a;\n",
		       "int a;\n#define DEV_HAS_IRQ 1\n", NULL, "reads DEV_HAS_IRQ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constified_prototype),
		cmocka_unit_test(test_comment_only),
		cmocka_unit_test(test_macro_chain),
		cmocka_unit_test(test_struct_layout),
		cmocka_unit_test(test_enum_shift),
		cmocka_unit_test(test_anonymous_struct),
		cmocka_unit_test(test_directives_refused),
		cmocka_unit_test(test_changed_condition),
		cmocka_unit_test(test_moved_out_of_conditional),
		cmocka_unit_test(test_pasting_macro),
		cmocka_unit_test(test_macro_declares),
		cmocka_unit_test(test_unbalanced_branches),
		cmocka_unit_test(test_extern_c),
		cmocka_unit_test(test_facts_pointing_into_header),
		cmocka_unit_test(test_closure_changed),
		cmocka_unit_test(test_refused_header),
		cmocka_unit_test(test_new_macro_named_by_file),
		cmocka_unit_test(test_nested_include),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
