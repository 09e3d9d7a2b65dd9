/*
 * pipe.c - a bulk command's reading and writing, overlapped.
 *
 * tk-new -b and tk-import spend about as long reading and checking their
 * input (parsing CSV, checking UTF-8, mapping columns) as writing it to the
 * store. A second thread fills the next batch while the calling thread
 * commits the last one: two slots, handed back and forth under a mutex.
 * The calling thread does every store write and every report, in input
 * order; the reading thread touches only its slot and its input, and its
 * messages go to stderr directly or into the slot.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tk.h"

struct tk_pipe_state {
	tk_pipe *p;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int full[2];		/* 0 empty, 1 a batch, 2 the end */
	int stop;		/* the writer gave up: read no more */
};

static void *
reader(void *arg)
{
	struct tk_pipe_state *s = arg;
	int i = 0, r;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->full[i] && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		pthread_mutex_unlock(&s->mu);
		r = s->p->fill(s->p->slot[i], s->p->ctx);
		pthread_mutex_lock(&s->mu);
		s->full[i] = r > 0 ? 1 : 2;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		if (r <= 0)
			return NULL;
		i ^= 1;
	}
}

int
tk_pipe_run(tk_pipe *p)
{
	struct tk_pipe_state s;
	pthread_t th;
	int i = 0, rc = 0, end;

	tk_now();	/* read $TK_NOW once, before two threads could */
	memset(&s, 0, sizeof s);
	s.p = p;
	p->drain_waiting = 0;
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	if (pthread_create(&th, NULL, reader, &s) != 0) {
		/* No thread: read and write in turn. */
		while (p->fill(p->slot[0], p->ctx) > 0)
			if ((rc = p->drain(p->slot[0], 0, p->ctx)))
				return rc;
		return p->drain(p->slot[0], 1, p->ctx);
	}
	for (;;) {
		pthread_mutex_lock(&s.mu);
		while (!s.full[i]) {
			__atomic_store_n(&p->drain_waiting, 1, __ATOMIC_RELAXED);
			pthread_cond_wait(&s.cv, &s.mu);
		}
		__atomic_store_n(&p->drain_waiting, 0, __ATOMIC_RELAXED);
		end = s.full[i] == 2;
		pthread_mutex_unlock(&s.mu);
		rc = p->drain(p->slot[i], end, p->ctx);
		pthread_mutex_lock(&s.mu);
		s.full[i] = 0;
		if (rc)
			s.stop = 1;
		pthread_cond_broadcast(&s.cv);
		pthread_mutex_unlock(&s.mu);
		if (rc)
			return rc;	/* the caller exits; the reader may be blocked reading */
		if (end)
			break;
		i ^= 1;
	}
	pthread_join(th, NULL);
	pthread_mutex_destroy(&s.mu);
	pthread_cond_destroy(&s.cv);
	return rc;
}
