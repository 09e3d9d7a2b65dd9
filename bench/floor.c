/*
 * bench/floor.c SRC DST: the floor of writing a store's contents with LMDB.
 *
 * Every entry of every sub-database of the store in SRC is read into memory
 * (not timed); then, timed, a new store in DST (an empty directory) is
 * opened, the same entries are put in one write transaction, each
 * sub-database in key order through one cursor with MDB_APPEND (and
 * MDB_APPENDDUP for the values of a DUPSORT one), the cheapest way LMDB has
 * to write them, and the transaction is committed with its sync. What it
 * prints is what no writer of those bytes into LMDB on this machine can
 * beat, whatever its own work: bench/contacts.sh sets it beside tk-contact
 * import (issue 25). The flags a sub-database was made with (MDB_DUPSORT,
 * MDB_DUPFIXED) are kept; custom comparators are not (the two sub-databases
 * tk compares by number, tickets and bodies, sort the same by memcmp).
 *
 * Output, one line: "seconds bytes entries" (the bytes of keys and values).
 *
 * bench/floor.c -g STORE DB < IDS: the floor of finding records by id: the
 * timed part is opening STORE read-only and one mdb_get in sub-database DB
 * for each ticket id of standard input (one a line, read before the clock
 * starts; keys of 8 bytes, big-endian, as tk keeps ticket ids), touching
 * every byte of each value found (a listing reads its record), the map
 * advised MADV_HUGEPAGE as tk's readers advise it (so that what it reads
 * from the disk comes into the page cache as tk's reads bring it: in
 * small pieces, a later listing by tk faults page by page). Output:
 * "seconds found bytes". bench/ft.sh sets it beside tk-ls -a text=
 * (issue 28).
 */
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

struct ent {
	MDB_val k, v;
};

struct sub {
	char *name;
	unsigned flags;
	struct ent *e;
	size_t n, cap;
};

static void
die(const char *what, int rc)
{
	fprintf(stderr, "floor: %s: %s\n", what, mdb_strerror(rc));
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "floor: out of memory\n");
		exit(1);
	}
	return p;
}

static MDB_val
copy(MDB_val x)
{
	MDB_val y = { x.mv_size, xmalloc(x.mv_size) };

	memcpy(y.mv_data, x.mv_data, x.mv_size);
	return y;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* madvise over the map of data.mdb (found in /proc/self/maps). */
static void
map_advise(int advice)
{
	char line[4096];
	unsigned long lo, hi;
	FILE *fp = fopen("/proc/self/maps", "r");

	while (fp && fgets(line, sizeof line, fp)) {
		size_t n = strcspn(line, "\n");

		if (n >= 9 && !strncmp(line + n - 9, "/data.mdb", 9) && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			madvise((void *)lo, hi - lo, advice);
	}
	if (fp)
		fclose(fp);
}

static int
gets_floor(const char *dir, const char *db)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	unsigned char kb[8];
	unsigned long long *ids = NULL, x;
	size_t n = 0, cap = 0, i, found = 0, bytes = 0;
	unsigned sum = 0;
	double t0, t1;
	int rc, b;

	while (scanf("%llu", &x) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(ids = realloc(ids, cap * sizeof *ids)))
				die("memory", ENOMEM);
		}
		ids[n++] = x;
	}
	t0 = now();
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 256)) ||
	    (rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NORDAHEAD, 0)))
		die(dir, rc);
	map_advise(MADV_HUGEPAGE);
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) || (rc = mdb_dbi_open(txn, db, 0, &dbi)))
		die(db, rc);
	for (i = 0; i < n; i++) {
		for (b = 7, x = ids[i]; b >= 0; b--, x >>= 8)
			kb[b] = (unsigned char)(x & 0xff);
		k.mv_size = 8;
		k.mv_data = kb;
		if ((rc = mdb_get(txn, dbi, &k, &v)) == 0) {
			const unsigned char *p = v.mv_data;
			size_t j;

			for (j = 0; j < v.mv_size; j++)
				sum += p[j];
			found++;
			bytes += v.mv_size;
		} else if (rc != MDB_NOTFOUND)
			die(db, rc);
	}
	mdb_txn_abort(txn);
	mdb_env_close(env);
	t1 = now();
	printf("%.4f %zu %zu%s\n", t1 - t0, found, bytes, sum == 1 ? " " : "");
	free(ids);
	return 0;
}

int
main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_cursor *c, *m;
	MDB_dbi main_dbi, dbi;
	MDB_val k, v;
	struct sub *subs = NULL;
	size_t nsubs = 0, i, j, bytes = 0, entries = 0;
	double t0, t1;
	int rc;

	if (argc == 4 && !strcmp(argv[1], "-g"))
		return gets_floor(argv[2], argv[3]);
	if (argc != 3) {
		fprintf(stderr, "usage: floor SRC DST | floor -g STORE DB < IDS\n");
		return 2;
	}
	/* read */
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 256)) ||
	    (rc = mdb_env_open(env, argv[1], MDB_RDONLY | MDB_NOLOCK, 0)))
		die(argv[1], rc);
	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) || (rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) ||
	    (rc = mdb_cursor_open(txn, main_dbi, &m)))
		die("main", rc);
	for (rc = mdb_cursor_get(m, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(m, &k, &v, MDB_NEXT)) {
		struct sub *s;
		char *name = xmalloc(k.mv_size + 1);

		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (mdb_dbi_open(txn, name, 0, &dbi)) {	/* a plain key of the main database */
			free(name);
			continue;
		}
		subs = realloc(subs, (nsubs + 1) * sizeof *subs);
		if (!subs)
			die("memory", ENOMEM);
		s = &subs[nsubs++];
		memset(s, 0, sizeof *s);
		s->name = name;
		mdb_dbi_flags(txn, dbi, &s->flags);
		if ((rc = mdb_cursor_open(txn, dbi, &c)))
			die(name, rc);
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			if (s->n == s->cap) {
				s->cap = s->cap ? 2 * s->cap : 1024;
				s->e = realloc(s->e, s->cap * sizeof *s->e);
				if (!s->e)
					die("memory", ENOMEM);
			}
			s->e[s->n].k = copy(k);
			s->e[s->n].v = copy(v);
			bytes += k.mv_size + v.mv_size;
			s->n++;
		}
		entries += s->n;
		mdb_cursor_close(c);
	}
	mdb_cursor_close(m);
	mdb_txn_abort(txn);
	mdb_env_close(env);

	/* write, timed */
	t0 = now();
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_maxdbs(env, 256)) ||
	    (rc = mdb_env_set_mapsize(env, (size_t)4 * bytes + ((size_t)64 << 20))) ||
	    (rc = mdb_env_open(env, argv[2], 0, 0644)))
		die(argv[2], rc);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)))
		die("write", rc);
	for (i = 0; i < nsubs; i++) {
		struct sub *s = &subs[i];

		if ((rc = mdb_dbi_open(txn, s->name, MDB_CREATE | (s->flags & (MDB_DUPSORT | MDB_DUPFIXED)), &dbi)) ||
		    (rc = mdb_cursor_open(txn, dbi, &c)))
			die(s->name, rc);
		for (j = 0; j < s->n; j++) {
			unsigned f = MDB_APPEND;

			if ((s->flags & MDB_DUPSORT) && j && s->e[j].k.mv_size == s->e[j - 1].k.mv_size &&
			    !memcmp(s->e[j].k.mv_data, s->e[j - 1].k.mv_data, s->e[j].k.mv_size))
				f = MDB_APPENDDUP;
			if ((rc = mdb_cursor_put(c, &s->e[j].k, &s->e[j].v, f)))
				die(s->name, rc);
		}
		mdb_cursor_close(c);
	}
	if ((rc = mdb_txn_commit(txn)))
		die("commit", rc);
	t1 = now();
	mdb_env_close(env);
	printf("%.3f %zu %zu\n", t1 - t0, bytes, entries);
	return 0;
}
