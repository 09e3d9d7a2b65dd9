/*
 * bench/calendar.c - the cost of one deadline: tk_cal_add an hour, a week
 * and a year of business time ahead, from moments spread over 2026, on the
 * calendars "office" (Shanghai: lunch, China's holidays and adjusted
 * workdays) and "ny" (New York: DST) of DIR/calendars. Rounds of the three
 * in turn; prints each calendar's median nanoseconds a call and the ratio
 * of a year to an hour. Usage: calendar-bench DIR
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tk.h"

#define CALLS 20000
#define ROUNDS 15

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ns a call of tk_cal_add(c, t_i, n) over CALLS moments of 2026. */
static double
round_of(const tk_calendar *c, int64_t n, volatile int64_t *sink)
{
	double t0 = now_ns();
	int i;

	for (i = 0; i < CALLS; i++)
		*sink += tk_cal_add(c, 1767225600 + (int64_t)i * 1571, n);
	return (now_ns() - t0) / CALLS;
}

int
main(int argc, char **argv)
{
	static const char *names[] = { "office", "ny" };
	static const int64_t ahead[3] = { 3600, 5 * 8 * 3600, 250LL * 8 * 3600 };
	volatile int64_t sink = 0;
	tk_calendars *cs;
	double r[3][ROUNDS], med[3];
	int i, k, j;

	tk_setprogname("calendar-bench");
	if (argc != 2 || tk_calendars_read(&cs, argv[1], "calendars") != 1)
		tk_die(2, "usage: calendar-bench DIR (with DIR/calendars: %s)", tk_errmsg);
	for (i = 0; i < 2; i++) {
		const tk_calendar *c = tk_calendar_find(cs, names[i]);

		if (!c)
			tk_die(2, "no calendar %s", names[i]);
		for (k = 0; k < ROUNDS; k++)
			for (j = 0; j < 3; j++)
				r[(j + k) % 3][k] = round_of(c, ahead[(j + k) % 3], &sink);
		for (j = 0; j < 3; j++) {
			qsort(r[j], ROUNDS, sizeof r[j][0], cmp_d);
			med[j] = r[j][ROUNDS / 2];
		}
		printf("%s\t%.0f\t%.0f\t%.0f\t%.2fx\n", names[i], med[0], med[1], med[2], med[2] / med[0]);
	}
	tk_calendars_free(cs);
	return (int)(sink & 0);
}
