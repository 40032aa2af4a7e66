/*
 * test_semver.c: versions and npm-style ranges.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "compiler/semver.h"

/* Criterion may run each case in a fresh process: no pointers in params. */
struct rcase {
	char range[24], version[24];
	bool match;
};

/* Expectations follow node-semver's documented semantics. */
ParameterizedTestParameters(semver, ranges)
{
	static struct rcase c[] = {
	        {"1.2.3", "1.2.3", true},
	        {"1.2.3", "1.2.4", false},
	        {"=1.2.3", "1.2.3", true},
	        {"^1.2", "1.9.0", true},
	        {"^1.2", "2.0.0", false},
	        {"^1.2", "1.1.9", false},
	        {"^1.0", "1.0.0", true},
	        {"^0.2.3", "0.2.9", true},
	        {"^0.2.3", "0.3.0", false},
	        {"^0.0.3", "0.0.4", false},
	        {"~1.2.3", "1.2.9", true},
	        {"~1.2.3", "1.3.0", false},
	        {"~1.2", "1.2.0", true},
	        {"~1", "1.9.9", true},
	        {"~1", "2.0.0", false},
	        {"1.2", "1.2.7", true},
	        {"1.2", "1.3.0", false},
	        {"1.x", "1.4.0", true},
	        {"*", "3.0.0", true},
	        {">=1.0.0 <2.0.0", "1.5.0", true},
	        {">=1.0.0 <2.0.0", "2.0.0", false},
	        {">1.2", "1.2.9", false},
	        {">1.2", "1.3.0", true},
	        {"<=1.2", "1.2.9", true},
	        {"<1.2", "1.1.9", true},
	        {"<1.2", "1.2.0", false},
	        {"^1.0 || ^3.0", "3.1.0", true},
	        {"^1.0 || ^3.0", "2.1.0", false},
	        /* pre-releases match only a comparator on the same tuple */
	        {"^1.0", "1.2.0-rc.1", false},
	        {"^1.2.0-rc.1", "1.2.0-rc.2", true},
	        {"^1.2.0-rc.1", "1.3.0-rc.1", false},
	};
	return cr_make_param_array(struct rcase, c, sizeof(c) / sizeof(c[0]));
}

ParameterizedTest(struct rcase *c, semver, ranges)
{
	hg_arena *a = hg_arena_new();
	hg_range *r;
	hg_semver v;
	cr_assert_eq(hg_range_parse(&r, a, c->range), 0, "range %s", c->range);
	cr_assert_eq(hg_semver_parse(&v, a, c->version), 0, "version %s", c->version);
	cr_expect_eq(hg_range_match(r, &v), c->match, "%s against %s", c->version, c->range);
	hg_arena_dispose(a);
}

Test(semver, rejects_malformed)
{
	hg_arena *a = hg_arena_new();
	hg_semver v;
	hg_range *r;
	cr_assert_eq(hg_semver_parse(&v, a, "1.0"), -1);
	cr_assert_eq(hg_semver_parse(&v, a, "01.0.0"), -1);
	cr_assert_eq(hg_semver_parse(&v, a, "1.0.0-"), -1);
	cr_assert_eq(hg_semver_parse(&v, a, "1.0.0+build.1"), 0);
	cr_assert_eq(hg_range_parse(&r, a, ""), -1);
	cr_assert_eq(hg_range_parse(&r, a, "~> 1.2"), -1); /* Terraform syntax */
	cr_assert_eq(hg_range_parse(&r, a, "^1.0 ||"), -1);
	cr_assert_eq(hg_range_parse(&r, a, "abc"), -1);
	hg_arena_dispose(a);
}

Test(semver, precedence)
{
	hg_arena *a = hg_arena_new();
	hg_semver x, y;
	hg_semver_parse(&x, a, "1.0.0-rc.1");
	hg_semver_parse(&y, a, "1.0.0");
	cr_assert_lt(hg_semver_cmp(&x, &y), 0);
	hg_semver_parse(&x, a, "1.0.0-alpha.2");
	hg_semver_parse(&y, a, "1.0.0-alpha.10");
	cr_assert_lt(hg_semver_cmp(&x, &y), 0);
	hg_semver_parse(&x, a, "1.10.0");
	hg_semver_parse(&y, a, "1.9.0");
	cr_assert_gt(hg_semver_cmp(&x, &y), 0);
	hg_arena_dispose(a);
}
