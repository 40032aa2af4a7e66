/*
 * history_gen.c: the history store's benchmark data, recorded the way
 * `hinagata drift --history` records a run (the same recorder, fed drift
 * results through its sink), and timed.
 * Part of hinagata; see LICENSE.
 *
 * usage: hg_bench_history DB [--nights N] [--accounts A] [--first-account K]
 *                            [--per-account R] [--findings F] [--start YYYY-MM-DD]
 *
 * Each night (from --start, one a day) is one run over A accounts (numbered
 * from K, 12 digits) of R resources each in one stack; about F resources
 * findings in each account: three quarters of that many resources have
 * drifted (a property differs) and a third of those also fail a control
 * rule on the deployed value. Which resources drift
 * is a function of the account, the resource and the week, with a few
 * flipping each night, so that findings persist, are resolved, come back
 * and appear as in an operation (about 2% change a night). Everything is
 * deterministic. Prints, per night, the results recorded, the findings
 * they make and the seconds the recording took (feeding the recorder and
 * its one transaction), then the slowest and the mean.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/diag.h"
#include "../common/hash.h"
#include "../history/history.h"

/* Types the gc-aws rules judge, and controls those rules check. */
static const char *const types[] = {"AWS::S3::Bucket", "AWS::EC2::SecurityGroup", "AWS::RDS::DBInstance",
        "AWS::KMS::Key", "AWS::Logs::LogGroup"};
static const char *const controls[][2] = {{"GC-AWS-PUB-01", "critical"}, {"GC-AWS-NET-02", "high"},
        {"GC-AWS-ENC-02", "high"}, {"GC-AWS-ENC-04", "medium"}, {"GC-AWS-LOG-08", "medium"}};

/* Room for a resource's names (20 digits of an unsigned long each, at most). */
#define LOGICAL 32
#define PHYS 48

static uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t v[3] = {a, b, c};
	return hg_hash64(v, sizeof(v));
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void add_days(char out[11], const char *start, int n)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(start) - 1900;
	tm.tm_mon = atoi(start + 5) - 1;
	tm.tm_mday = atoi(start + 8) + n;
	tm.tm_hour = 12;
	mktime(&tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int main(int argc, char **argv)
{
	const char *db = NULL, *start = "2026-12-01";
	unsigned long nights = 31, accounts = 1000, first = 0, per = 100, findings = 50, n, a, i;
	const char *tmpl[] = {HG_SOURCE_DIR "/templates"};
	double slowest = 0, total = 0;
	int k, rc = 0;

	for (k = 1; k < argc; k++) {
		unsigned long *v = NULL;
		if (strcmp(argv[k], "--nights") == 0)
			v = &nights;
		else if (strcmp(argv[k], "--accounts") == 0)
			v = &accounts;
		else if (strcmp(argv[k], "--first-account") == 0)
			v = &first;
		else if (strcmp(argv[k], "--per-account") == 0)
			v = &per;
		else if (strcmp(argv[k], "--findings") == 0)
			v = &findings;
		else if (strcmp(argv[k], "--start") == 0 && k + 1 < argc) {
			start = argv[++k];
			continue;
		} else if (argv[k][0] != '-' && !db) {
			db = argv[k];
			continue;
		}
		if (!v || k + 1 >= argc) {
			fprintf(stderr, "usage: hg_bench_history DB [--nights N] [--accounts A] [--first-account K] "
			                "[--per-account R] [--findings F] [--start YYYY-MM-DD]\n");
			return 2;
		}
		*v = strtoul(argv[++k], NULL, 10);
	}
	if (!db || !hg_is_date(start)) {
		fprintf(stderr, "hg_bench_history: a store and a valid --start are needed\n");
		return 2;
	}
	for (n = 0; n < nights && rc == 0; n++) {
		hg_diags d = HG_DIAGS_INIT;
		hg_record_options ro = HG_RECORD_OPTIONS_INIT;
		hg_recorder *r;
		hg_history *h = NULL;
		hg_record_result res;
		hg_drift_sink sink;
		hg_drift_meta meta = {NULL, NULL, 0, 0, 0};
		hg_drift_summary sum;
		hg_drift_result *x = calloc(per ? per : 1, sizeof(*x));
		hg_prop_diff diff;
		hg_violation viol;
		char date[11], account[24], unit[48], *logical = calloc(per ? per : 1, LOGICAL), *phys = calloc(per ? per : 1, PHYS);
		char *ctl[1];
		/* the results' strings are not const (drift.h); these are never written */
		char region[] = "ap-northeast-1", tname[] = "bench/system", tver[] = "1.0.0";
		char path[] = "/Tags/0/Value", expected[] = "\"prod\"", actual[] = "\"stg\"";
		size_t drifted = 0;
		double t0;

		add_days(date, start, (int)n);
		ro.source = HG_SRC_DRIFT;
		ro.date = date;
		ro.bundled_dir = tmpl[0];
		ro.schema_dir = HG_SOURCE_DIR "/schemas";
		if (!(r = hg_recorder_new(&ro, &d)) || hg_history_open(&h, db, HG_HISTORY_CREATE, 600000, &d) < 0) {
			hg_buf out = HG_BUF_INIT;
			hg_render_options o = {HG_LANG_EN, false, 20};
			hg_diags_render(&d, &out, &o);
			fputs(out.ptr, stderr);
			hg_buf_dispose(&out);
			rc = 2;
			hg_recorder_free(r);
			hg_diags_dispose(&d);
			free(x);
			free(logical);
			free(phys);
			break;
		}
		memset(&sum, 0, sizeof(sum));
		memset(&diff, 0, sizeof(diff));
		memset(&viol, 0, sizeof(viol));
		t0 = now();
		sink = hg_recorder_drift_sink(r);
		meta.today = date;
		sink.begin(sink.payload, &meta);
		for (a = first; a < first + accounts; a++) {
			snprintf(account, sizeof(account), "%012lu", 100000000000ul + a);
			snprintf(unit, sizeof(unit), "sys-%lu-prod", a);
			memset(x, 0, per * sizeof(*x));
			for (i = 0; i < per; i++) {
				hg_drift_result *y = &x[i];
				uint64_t base = h3(a, i, 0), week = h3(a, i, 1000 + n / 7), night = h3(a, i, 2000 + n);
				/* drifted: a stable set per account, a weekly half of it, a nightly flip */
				bool drift = base % per < findings * 3 / 4 && (week % 8 != 0);
				if (night % 64 == 0)
					drift = !drift;
				snprintf(logical + i * LOGICAL, LOGICAL, "Res%05lu", i);
				snprintf(phys + i * PHYS, PHYS, "res-%lu-%05lu", a, i);
				y->account = account;
				y->region = region;
				y->unit = unit;
				y->logical_id = logical + i * LOGICAL;
				y->physical_id = phys + i * PHYS;
				y->type = (char *)(uintptr_t)types[base % 5];
				y->template_name = tname;
				y->template_version = tver;
				y->props_total = y->props_compared = 6;
				y->status = drift ? HG_DS_MODIFIED : HG_DS_IN_SYNC;
				if (drift) {
					diff.path = path;
					diff.expected = expected;
					diff.actual = actual;
					diff.kind = HG_DIFF_NOT_EQUAL;
					y->diffs = &diff;
					y->ndiffs = 1;
					if (base % 3 == 0) {
						viol.control = (char *)(uintptr_t)controls[base % 5][0];
						viol.severity = (char *)(uintptr_t)controls[base % 5][1];
						viol.deployed = true;
						y->violations = &viol;
						y->nviolations = 1;
						ctl[0] = viol.control;
						y->controls = ctl;
						y->ncontrols = 1;
						y->severity = viol.severity;
					}
					drifted += 1 + (base % 3 == 0);
				}
				sum.counts[y->status]++;
				sum.total++;
				sum.checked++;
			}
			sink.block(sink.payload, x, per);
		}
		sink.end(sink.payload, &sum);
		rc = hg_recorder_commit(r, h, &res, &d) < 0 ? 2 : 0;
		t0 = now() - t0;
		if (rc) {
			hg_buf out = HG_BUF_INIT;
			hg_render_options o = {HG_LANG_EN, false, 20};
			hg_diags_render(&d, &out, &o);
			fputs(out.ptr, stderr);
			hg_buf_dispose(&out);
		} else
			printf("night %s: %lu results, %zu findings (%zu new, %zu resolved), recorded in %.3f s\n", date,
			        accounts * per, drifted, res.findings[HG_FS_NEW] + res.findings[HG_FS_REOPENED],
			        res.resolved, t0);
		fflush(stdout);
		total += t0;
		if (t0 > slowest)
			slowest = t0;
		hg_history_close(h);
		hg_recorder_free(r);
		hg_diags_dispose(&d);
		free(x);
		free(logical);
		free(phys);
	}
	if (rc == 0 && nights)
		printf("recorded %lu nights: slowest %.3f s, mean %.3f s\n", nights, slowest, total / (double)nights);
	return rc;
}
