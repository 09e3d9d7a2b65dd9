/* tests/remove_store.h: a test's store directory removed (data.mdb,
 * lock.mdb, the directory): the unit tests and the filter fuzz target. */
static void
remove_store(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}
