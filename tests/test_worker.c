/*
 * test_worker.c - jobs in child processes (worker.h): every job is answered
 * or failed with a reason, whatever a child does (loop, crash, eat memory,
 * exit), and the jobs after it still run; each job gets the whole memory
 * limit; a child that asks to retire is replaced.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "util/worker.h"

enum { JOB_ANSWER, JOB_LOOP, JOB_CRASH, JOB_EAT_MEMORY, JOB_EXIT, JOB_BIG_ANSWER, JOB_RETIRE, JOB_HOLD_MEMORY };

typedef struct {
	const int *kinds;      /* what job i does */
	size_t n;
	char **replies;        /* done: the answer of job i, or NULL */
	char **whys;           /* done: why job i failed, or NULL */
	int *calls;            /* done: calls for job i (must end at 1) */
	pid_t caller;
	int served_in_caller;  /* serve ran in the caller's process: a failure */
} script;

static char *serve(void *arg, size_t job, int *retire)
{
	script *s = arg;
	*retire = s->kinds[job] == JOB_RETIRE;
	if (getpid() == s->caller)
		s->served_in_caller = 1;
	switch (s->kinds[job]) {
	case JOB_LOOP:
		for (volatile unsigned long i = 0;; i++)
			;
	case JOB_CRASH:
		abort(); /* not SIGSEGV: a sanitizer would catch that and exit instead */
	case JOB_EAT_MEMORY:
		/* Touch what is taken: the limit, not lazy allocation, must stop it. */
		for (;;) {
			char *p = malloc(1 << 20);
			if (!p)
				abort(); /* what LLVM does when an allocation fails */
			memset(p, 1, 1 << 20);
		}
	case JOB_EXIT:
		_exit(3);
	case JOB_BIG_ANSWER: {
		/* Larger than a socket buffer: the caller reads it in pieces. */
		char *r = malloc(3 << 20);
		memset(r, 'b', (3 << 20) - 1);
		r[(3 << 20) - 1] = '\0';
		return r;
	}
	case JOB_RETIRE:
		return mc_sprintf("pid %d", (int)getpid());
	case JOB_HOLD_MEMORY: {
		/* Kept on purpose: what an earlier job leaves must not count against the next one. */
		char *p = malloc(48 << 20);
		if (!p)
			abort();
		memset(p, 1, 48 << 20);
		return mc_sprintf("answer %zu", job);
	}
	default:
		return mc_sprintf("answer %zu", job);
	}
}

static void done(void *arg, size_t job, const char *reply, const char *why)
{
	script *s = arg;
	assert_true(job < s->n);
	s->calls[job]++;
	s->replies[job] = reply ? mc_strdup(reply) : NULL;
	s->whys[job] = why ? mc_strdup(why) : NULL;
}

static script run(const int *kinds, size_t n, int children, mc_job_limits limits)
{
	script s = { kinds, n, mc_calloc(n, sizeof(char *)), mc_calloc(n, sizeof(char *)), mc_calloc(n, sizeof(int)),
		     getpid(), 0 };
	mc_workers w = { .children = children, .limits = limits, .serve = serve, .done = done, .arg = &s };
	if (mc_workers_run(&w, n) < 0)
		fail_msg("mc_workers_run: %s", mc_error_last());
	assert_false(s.served_in_caller);
	for (size_t i = 0; i < n; i++)
		if (s.calls[i] != 1)
			fail_msg("job %zu: done called %d times", i, s.calls[i]);
	return s;
}

static void script_free(script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->replies[i]);
		free(s->whys[i]);
	}
	free(s->replies);
	free(s->whys);
	free(s->calls);
}

static void expect_answer(const script *s, size_t job)
{
	char want[32];
	snprintf(want, sizeof(want), "answer %zu", job);
	if (!s->replies[job] || strcmp(s->replies[job], want) != 0)
		fail_msg("job %zu: want '%s', got %s (%s)", job, want, s->replies[job] ? s->replies[job] : "no answer",
			 s->whys[job] ? s->whys[job] : "-");
}

static void expect_failure(const script *s, size_t job, const char *reason)
{
	if (s->replies[job] || !s->whys[job])
		fail_msg("job %zu: want a failure (%s), got an answer", job, reason);
	if (!strstr(s->whys[job], reason))
		fail_msg("job %zu: want a reason with '%s', got '%s'", job, reason, s->whys[job]);
}

static void test_answers_in_any_number_of_children(void **state)
{
	(void)state;
	int kinds[40] = { 0 };
	kinds[7] = JOB_BIG_ANSWER;
	for (int children = 1; children <= 3; children++) {
		script s = run(kinds, 40, children, (mc_job_limits){ 30, 0 });
		for (size_t i = 0; i < 40; i++)
			if (i != 7)
				expect_answer(&s, i);
		assert_non_null(s.replies[7]);
		assert_int_equal(strlen(s.replies[7]), (3 << 20) - 1);
		script_free(&s);
	}
}

static void test_a_job_past_its_time_is_stopped(void **state)
{
	(void)state;
	const int kinds[] = { JOB_ANSWER, JOB_LOOP, JOB_ANSWER, JOB_ANSWER };
	script s = run(kinds, 4, 2, (mc_job_limits){ 1, 0 });
	expect_failure(&s, 1, "longer than the per-file limit of 1 s");
	expect_answer(&s, 0);
	expect_answer(&s, 2);
	expect_answer(&s, 3);
	script_free(&s);
}

static void test_a_crash_fails_one_job(void **state)
{
	(void)state;
	const int kinds[] = { JOB_CRASH, JOB_ANSWER, JOB_EXIT, JOB_ANSWER };
	script s = run(kinds, 4, 1, (mc_job_limits){ 30, 0 });
	expect_failure(&s, 0, "signal 6");
	expect_failure(&s, 2, "exit status 3");
	expect_answer(&s, 1);
	expect_answer(&s, 3);
	script_free(&s);
}

static void test_a_job_past_its_memory_is_stopped(void **state)
{
	(void)state;
	const int kinds[] = { JOB_ANSWER, JOB_EAT_MEMORY, JOB_ANSWER };
	/* The time limit is a safety net: the memory limit must act long before. */
	script s = run(kinds, 3, 1, (mc_job_limits){ 60, 64 });
	expect_failure(&s, 1, "per-file memory limit of 64 MiB");
	expect_answer(&s, 0);
	expect_answer(&s, 2);
	script_free(&s);
}

static void test_each_job_has_the_whole_memory_limit(void **state)
{
	(void)state;
	const int kinds[] = { JOB_HOLD_MEMORY, JOB_HOLD_MEMORY, JOB_HOLD_MEMORY, JOB_ANSWER };
	script s = run(kinds, 4, 1, (mc_job_limits){ 60, 64 });
	for (size_t i = 0; i < 4; i++)
		expect_answer(&s, i);
	script_free(&s);
}

static void test_a_retired_child_is_replaced(void **state)
{
	(void)state;
	const int kinds[] = { JOB_RETIRE, JOB_RETIRE, JOB_ANSWER };
	script s = run(kinds, 3, 1, (mc_job_limits){ 30, 0 });
	assert_non_null(s.replies[0]);
	assert_non_null(s.replies[1]);
	if (strcmp(s.replies[0], s.replies[1]) == 0)
		fail_msg("the retired child took another job: %s twice", s.replies[0]);
	expect_answer(&s, 2);
	script_free(&s);
}

static void test_no_jobs(void **state)
{
	(void)state;
	script s = run(NULL, 0, 2, (mc_job_limits){ 1, 1 });
	script_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_in_any_number_of_children),
		cmocka_unit_test(test_a_job_past_its_time_is_stopped),
		cmocka_unit_test(test_a_crash_fails_one_job),
		cmocka_unit_test(test_a_job_past_its_memory_is_stopped),
		cmocka_unit_test(test_each_job_has_the_whole_memory_limit),
		cmocka_unit_test(test_a_retired_child_is_replaced),
		cmocka_unit_test(test_no_jobs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
