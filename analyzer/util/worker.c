/*
 * worker.c - see worker.h.
 *
 * Protocol over one socketpair per child: the caller sends a job index (8
 * bytes); the child answers with a length (8 bytes) and that many bytes.
 * A socket rather than pipes so that the caller can send with MSG_NOSIGNAL:
 * a child that died must not take the caller down with SIGPIPE.
 */
#include "util/worker.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 64
/* In an answer's length: the child exits after this answer (serve asked to retire it). */
#define RETIRING ((uint64_t)1 << 63)
/* Children that die before taking a job, in a row, before the caller is told to do without. */
#define MAX_FAILED_STARTS 3

typedef struct {
	pid_t pid;             /* 0: no child in this slot */
	int fd;                /* the caller's end of the socket */
	int busy;
	size_t job;
	double deadline;       /* monotonic seconds; 0 without a time limit */
	char *reply;           /* what has arrived of the answer: 8-byte length, then text */
	size_t got, cap;
} slot;

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 1: all of len read; 0: end of file first; -1: error. */
static int read_all(int fd, void *data, size_t len)
{
	char *p = data;
	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

/*
 * Before each job: the memory limit counts from what the child maps now (the
 * caller's copy, libclang's code, what earlier jobs left), which is not this
 * job's doing.  Only the soft limit is set, so that it can be set again.
 */
static void limit_memory(unsigned mib)
{
	if (!mib)
		return;
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;
	if (!f)
		return;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	long page = sysconf(_SC_PAGESIZE);
	struct rlimit r;
	if (getrlimit(RLIMIT_AS, &r) < 0)
		return;
	rlim_t limit = (rlim_t)pages * (rlim_t)(page > 0 ? page : 4096) + (rlim_t)mib * 1024 * 1024;
	r.rlim_cur = r.rlim_max != RLIM_INFINITY && limit > r.rlim_max ? r.rlim_max : limit;
	setrlimit(RLIMIT_AS, &r);
}

static void child_main(const mc_workers *w, int fd, pid_t parent)
{
	/* A child outlives neither its caller nor, through the caller, its deadline. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	if (!w->keep_stderr) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 2);
			close(null);
		}
	}
	for (;;) {
		uint64_t job;
		if (read_all(fd, &job, sizeof(job)) != 1)
			break;
		limit_memory(w->limits.mib);
		int retire = 0;
		char *reply = w->serve(w->arg, (size_t)job, &retire);
		uint64_t len = reply ? strlen(reply) : 0;
		uint64_t head = len | (retire ? RETIRING : 0);
		int ok = write_all(fd, &head, sizeof(head)) == 0 && write_all(fd, reply ? reply : "", (size_t)len) == 0;
		free(reply);
		if (!ok || retire)
			break;
	}
	/* _exit: the caller's stdio buffers and atexit handlers are not the child's to run. */
	_exit(0);
}

static int slot_start(const mc_workers *w, slot *slots, size_t i)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		mc_error_set("cannot start a parser process: %s", strerror(errno));
		return MC_EIO;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		mc_error_set("cannot start a parser process: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return MC_EIO;
	}
	if (pid == 0) {
		close(sv[0]);
		/* Other children's sockets: holding them would hide their end of file. */
		for (int k = 0; k < w->children; k++)
			if (slots[k].pid)
				close(slots[k].fd);
		child_main(w, sv[1], parent);
	}
	close(sv[1]);
	slots[i].pid = pid;
	slots[i].fd = sv[0];
	slots[i].busy = 0;
	return 0;
}

/* Waits for a child that is gone or killed, and says how it ended. */
static char *slot_reap(slot *s, int killed, const mc_job_limits *lim)
{
	int status = 0;
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	close(s->fd);
	s->pid = 0;
	s->busy = 0;
	s->got = 0;
	if (killed)
		return mc_sprintf("stopped: parsing took longer than the per-file limit of %u s (--time-limit)",
				  lim->seconds);
	char *limit = lim->mib ? mc_sprintf("over the per-file memory limit of %u MiB (--memory-limit), or ", lim->mib)
			       : mc_strdup("");
	char *why = NULL;
	if (WIFSIGNALED(status))
		why = mc_sprintf("the parser died of signal %d (%s): %sa libclang crash", WTERMSIG(status),
				 strsignal(WTERMSIG(status)), limit);
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		why = mc_sprintf("the parser stopped with exit status %d: %sa libclang failure", WEXITSTATUS(status),
				 limit);
	free(limit);
	if (why)
		return why;
	return mc_strdup("the parser stopped before answering");
}

static void slot_fail(const mc_workers *w, slot *s, int killed)
{
	size_t job = s->job;
	char *why = slot_reap(s, killed, &w->limits);
	w->done(w->arg, job, NULL, why);
	free(why);
}

/* Reads what is there of a busy child's answer; calls done when it is whole. */
static void slot_receive(const mc_workers *w, slot *s)
{
	if (s->cap - s->got < 65536)
		s->reply = mc_realloc(s->reply, s->cap = s->cap * 2 + 65536);
	ssize_t n = read(s->fd, s->reply + s->got, s->cap - s->got - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* Only the child holds the other end: it is gone. */
		slot_fail(w, s, 0);
		return;
	}
	s->got += (size_t)n;
	uint64_t head;
	if (s->got < sizeof(head))
		return;
	memcpy(&head, s->reply, sizeof(head));
	uint64_t len = head & ~RETIRING;
	if (s->got - sizeof(head) < len)
		return;
	s->reply[sizeof(head) + len] = '\0';
	s->busy = 0;
	s->got = 0;
	w->done(w->arg, s->job, s->reply + sizeof(head), NULL);
	if (head & RETIRING) {
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(s->fd);
		s->pid = 0;
	}
}

static int slot_send(const mc_workers *w, slot *s, size_t job)
{
	uint64_t j = job;
	s->job = job;
	s->got = 0;
	if (write_all(s->fd, &j, sizeof(j)) < 0)
		return -1;
	s->busy = 1;
	s->deadline = w->limits.seconds ? mc_now_seconds() + w->limits.seconds : 0;
	return 0;
}

/* One run of mc_workers_run: its children and where its jobs stand. */
typedef struct {
	mc_workers w;          /* the caller's, with children set to nslots */
	slot *slots;
	int nslots;
	size_t njobs;
	size_t next;           /* the first job not handed out */
	size_t finished;       /* jobs done was called for */
	int failed_starts;     /* children that died before taking a job, in a row */
	char *start_error;     /* why the last of them did (owned), for the caller */
} pool;

/* Hands out jobs to idle slots; a slot without a child gets a new one. */
static void pool_hand_out(pool *p)
{
	for (int i = 0; i < p->nslots && p->next < p->njobs && p->failed_starts < MAX_FAILED_STARTS; i++) {
		slot *s = &p->slots[i];
		if (s->busy)
			continue;
		if (!s->pid && slot_start(&p->w, p->slots, (size_t)i) < 0) {
			free(p->start_error);
			p->start_error = mc_strdup(mc_error_last());
			p->failed_starts++;
			continue;
		}
		if (slot_send(&p->w, s, p->next) < 0) {
			/* The child died idle: the job was not tried; a new child gets it. */
			kill(s->pid, SIGKILL);
			free(slot_reap(s, 0, &p->w.limits));
			free(p->start_error);
			p->start_error = mc_strdup("a parser process died before taking a file");
			p->failed_starts++;
			continue;
		}
		p->failed_starts = 0;
		p->next++;
	}
}

/* The busy slots to poll, in fds and polled (their slot numbers); returns how many and the soonest deadline. */
static int pool_poll_set(const pool *p, struct pollfd *fds, int *polled, double *soonest)
{
	int nfds = 0;
	*soonest = 0;
	for (int i = 0; i < p->nslots; i++)
		if (p->slots[i].busy) {
			fds[nfds] = (struct pollfd){ .fd = p->slots[i].fd, .events = POLLIN };
			polled[nfds++] = i;
			if (p->slots[i].deadline && (!*soonest || p->slots[i].deadline < *soonest))
				*soonest = p->slots[i].deadline;
		}
	return nfds;
}

/*
 * Waits for the busy children until one answers or the soonest deadline,
 * takes what arrived and stops the children past their deadline.  Returns 0,
 * or MC_EIO (message set) when no child is busy (none could be started) or
 * poll fails.
 */
static int pool_wait(pool *p)
{
	struct pollfd fds[MAX_CHILDREN];
	int polled[MAX_CHILDREN];
	double soonest;
	int nfds = pool_poll_set(p, fds, polled, &soonest);
	if (nfds == 0) {
		/* Jobs left and not one child running: none could be started.  The caller does the rest. */
		mc_error_set("%s", p->start_error ? p->start_error : "cannot start a parser process");
		return MC_EIO;
	}
	int timeout = -1;
	if (soonest) {
		double left = soonest - mc_now_seconds();
		timeout = left <= 0 ? 0 : (int)(left * 1000) + 1;
	}
	int ready = poll(fds, (nfds_t)nfds, timeout);
	if (ready < 0 && errno != EINTR) {
		mc_error_set("cannot wait for the parser processes: %s", strerror(errno));
		return MC_EIO;
	}
	for (int k = 0; k < nfds && ready > 0; k++)
		if (fds[k].revents) {
			slot *s = &p->slots[polled[k]];
			slot_receive(&p->w, s);
			if (!s->busy)
				p->finished++;
		}
	double t = mc_now_seconds();
	for (int k = 0; k < nfds; k++) {
		slot *s = &p->slots[polled[k]];
		if (s->busy && s->deadline && t >= s->deadline) {
			kill(s->pid, SIGKILL);
			slot_fail(&p->w, s, 1);
			p->finished++;
		}
	}
	return 0;
}

/*
 * The children are killed, not asked to exit: each holds a copy of the
 * caller's whole heap, which a normal exit would have a memory checker
 * (valgrind) report as leaked, and has nothing of its own to flush.
 */
static void pool_stop(pool *p)
{
	for (int i = 0; i < p->nslots; i++) {
		if (!p->slots[i].pid)
			continue;
		kill(p->slots[i].pid, SIGKILL);
		close(p->slots[i].fd);
		while (waitpid(p->slots[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < p->nslots; i++)
		free(p->slots[i].reply);
	free(p->slots);
	free(p->start_error);
}

int mc_workers_run(const mc_workers *w, size_t njobs)
{
	int nslots = w->children > 0 ? w->children : 1;
	if (nslots > MAX_CHILDREN)
		nslots = MAX_CHILDREN;
	if ((size_t)nslots > njobs)
		nslots = (int)njobs;
	if (nslots == 0)
		return 0;
	pool p = { .w = *w, .slots = mc_calloc((size_t)nslots, sizeof(slot)), .nslots = nslots, .njobs = njobs };
	p.w.children = nslots;
	int rc = 0;
	while (rc == 0 && p.finished < njobs) {
		pool_hand_out(&p);
		rc = pool_wait(&p);
	}
	pool_stop(&p);
	return rc;
}
