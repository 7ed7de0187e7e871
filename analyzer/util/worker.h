/*
 * worker.h - running jobs in forked child processes, each job under a time
 * and a memory limit.
 *
 * libclang 14 cannot stop a parse: a header that includes itself in a
 * fan-out, or a macro bomb split across files, keeps a thread busy for hours
 * or takes all memory, and a crash inside libclang takes the whole process
 * with it.  So files are parsed in children.  A child past its deadline is
 * killed; a child that dies is reaped (an allocation refused by its RLIMIT_AS
 * either kills it or is caught by libclang's crash recovery, which the job's
 * answer then reports); either way the job fails with a reason, a new child
 * takes the next job, and the run goes on.
 *
 * Children are made with fork() and work on a copy of the caller's memory, so
 * a job is only its index: everything it needs must be prepared before
 * mc_workers_run is called.  What serve keeps between jobs is never freed: a
 * child is killed when the jobs are done.  The caller must be single-threaded
 * while it runs (a fork copies only the calling thread; a lock held by another
 * thread would stay locked in the child forever).
 */
#ifndef MC_WORKER_H
#define MC_WORKER_H

#include <stddef.h>

typedef struct {
	unsigned seconds;      /* wall-clock time of one job; 0: no limit */
	unsigned mib;          /* memory a job may add to the child's address space; 0: no limit */
} mc_job_limits;

/* Per-file limits when none are given: far above any real QEMU file (a few seconds, a few hundred MiB). */
#define MC_DEFAULT_JOB_SECONDS 120
#define MC_DEFAULT_JOB_MIB 2048

typedef struct {
	int children;          /* at most this many at once, >= 1 */
	mc_job_limits limits;
	/*
	 * In a child: the answer to job (a malloc'd string, or NULL for none).
	 * It may keep state in arg between jobs: that is the child's copy.  It
	 * sets *retire when the child should not take another job (a crash it
	 * survived may have left memory behind): a new child takes the next.
	 */
	char *(*serve)(void *arg, size_t job, int *retire);
	/* In the caller: job answered (reply) or failed (reply NULL, why says how). */
	void (*done)(void *arg, size_t job, const char *reply, const char *why);
	void *arg;
	/*
	 * 0: a child's standard error goes to /dev/null.  What a dying libclang
	 * prints (its command line, every file name) is noise next to the reason
	 * the job's failure carries.
	 */
	int keep_stderr;
} mc_workers;

/*
 * Runs jobs 0..njobs-1 and calls done once for each, in the order they
 * finish.  Fails (MC_EIO, with a message) when children cannot be started
 * (or die before taking a job) while jobs remain: done has been called for
 * the jobs that ended, and the caller does the others itself.
 */
int mc_workers_run(const mc_workers *w, size_t njobs);

#endif
