/*
 * test_export.c: the streaming export reader and the jv parser.
 * Part of hinagata; see LICENSE.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fs.h"
#include "drift/export.h"
#include "drift/jv.h"

struct seen {
	int n;
	int ends;          /* the ends of listings (no record) */
	char listed[64];   /* the type the last one named */
	char type[64];
	char first[256];
	uint32_t line, col;
	uint64_t offset;
};

static int collect(const hg_export_item *it, void *payload)
{
	struct seen *s = payload;
	if (!it->raw) {
		s->ends++;
		snprintf(s->listed, sizeof(s->listed), "%s", it->type_name);
		return 0;
	}
	if (s->n == 0) {
		snprintf(s->first, sizeof(s->first), "%.*s", (int)it->len, it->raw);
		s->line = it->span.line;
		s->col = it->span.col;
		s->offset = it->offset;
	}
	if (it->type_name)
		snprintf(s->type, sizeof(s->type), "%s", it->type_name);
	s->n++;
	return 0;
}

static int read_mem(const char *text, struct seen *s, hg_diags *d, hg_export_shape *shape)
{
	memset(s, 0, sizeof(*s));
	return hg_export_read_mem(text, strlen(text), "e.json", collect, s, d, NULL, shape);
}

Test(export, cloudcontrol_list_is_streamed_record_by_record)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	hg_export_shape shape;
	const char *text =
	        "{\n  \"TypeName\": \"AWS::S3::Bucket\",\n  \"ResourceDescriptions\": [\n"
	        "    {\"Identifier\": \"a\", \"Properties\": \"{\\\"BucketName\\\":\\\"a\\\"}\"},\n"
	        "    {\"Identifier\": \"b\", \"Properties\": \"{}\"}\n  ],\n  \"NextToken\": "
	        "null\n}\n";
	cr_assert_eq(read_mem(text, &s, &d, &shape), 0);
	cr_assert_eq(shape, HG_EXP_CC_LIST);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.type, "AWS::S3::Bucket");
	/* and then that the listing of the type ended */
	cr_assert_eq(s.ends, 1);
	cr_assert_str_eq(s.listed, "AWS::S3::Bucket");
	cr_assert_str_eq(s.first,
	        "{\"Identifier\": \"a\", \"Properties\": \"{\\\"BucketName\\\":\\\"a\\\"}\"}");
	cr_assert_eq(s.line, 4);
	cr_assert_eq(s.col, 5);
	hg_diags_dispose(&d);
}

/* Each record's top-level Properties string as the reader saw it. */
struct props {
	int n;
	char text[4][64];
};

static int collect_props(const hg_export_item *it, void *payload)
{
	struct props *p = payload;
	if (!it->raw || p->n >= 4)
		return 0;
	if (it->props_len)
		snprintf(p->text[p->n], sizeof(p->text[0]), "%.*s", (int)it->props_len,
		        it->raw + it->props_at);
	else
		snprintf(p->text[p->n], sizeof(p->text[0]), "(none)");
	p->n++;
	return 0;
}

Test(export, a_records_properties_string_is_located)
{
	hg_diags d = HG_DIAGS_INIT;
	struct props p;
	const char *list =
	        "{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescriptions\": [\n"
	        "  {\"Identifier\": \"a\", \"Properties\": \"{\\\"A\\\":1}\"},\n"
	        "  {\"Properties\" : \"{}\", \"Identifier\": \"b\"},\n"
	        "  {\"Identifier\": \"c\", \"Properties\": {\"A\": \"x\"}, \"X\": \"y\"},\n"
	        "  {\"Identifier\": \"d\", \"Other\": {\"Properties\": \"z\"}, \"Y\": \"w\"}\n"
	        "], \"NextToken\": null}\n";
	memset(&p, 0, sizeof(p));
	cr_assert_eq(
	        hg_export_read_mem(list, strlen(list), "e.json", collect_props, &p, &d, NULL, NULL),
	        0);
	cr_assert_eq(p.n, 4);
	cr_assert_str_eq(p.text[0], "\"{\\\"A\\\":1}\"");
	cr_assert_str_eq(p.text[1], "\"{}\"");
	cr_assert_str_eq(p.text[2], "(none)"); /* not a string: looked for later, as before */
	cr_assert_str_eq(p.text[3], "(none)"); /* not at the record's top level */
	hg_diags_dispose(&d);
}

Test(export, an_empty_listing_still_names_its_type)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	hg_export_shape shape;
	/* none of the type there: no record, the end of the listing of the type */
	cr_assert_eq(read_mem("{\"TypeName\": \"AWS::EC2::InternetGateway\", \"ResourceDescriptions\": []}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_CC_LIST);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(s.ends, 1);
	cr_assert_str_eq(s.listed, "AWS::EC2::InternetGateway");
	/* TypeName after the records (key order is free): still named at the end */
	cr_assert_eq(read_mem("{\"ResourceDescriptions\": [{\"Identifier\": \"a\"}], \"TypeName\": \"AWS::SQS::Queue\"}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.ends, 1);
	cr_assert_str_eq(s.listed, "AWS::SQS::Queue");
	/* a listing cut short names nothing: it did not list everything */
	cr_assert_eq(read_mem("{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescriptions\": [{\"Identifier\": \"a\"}",
	                     &s, &d, &shape),
	        HG_EINVALID);
	cr_assert_eq(s.ends, 0);
	/* one page of a listing (a NextToken) does not say none is there */
	cr_assert_eq(read_mem("{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescriptions\": [], \"NextToken\": \"p2\"}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(s.ends, 0);
	cr_assert_eq(read_mem("{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescriptions\": [], \"NextToken\": null}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(s.ends, 1);
	/* a get-resource is no listing */
	cr_assert_eq(read_mem("{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescription\": {\"Identifier\": \"q\"}}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(s.ends, 0);
	hg_diags_dispose(&d);
}

Test(export, shapes_are_detected)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	hg_export_shape shape;
	cr_assert_eq(
	        read_mem("{\"StackResources\": [{\"LogicalResourceId\": \"A\"}]}", &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_STACK_RESOURCES);
	cr_assert_eq(read_mem("{\"Stacks\": [{\"StackName\": \"s\"}]}", &s, &d, &shape), 0);
	cr_assert_eq(shape, HG_EXP_STACKS);
	cr_assert_eq(read_mem("{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescription\": "
	                      "{\"Identifier\": \"q\"}}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_CC_GET);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(read_mem("[{\"id\": \"/subscriptions/x/resourceGroups/r/providers/A.B/c/d\", "
	                      "\"type\": \"A.B/c\"}]",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_AZ_LIST);
	cr_assert_eq(read_mem("{\"id\": \"/subscriptions/x\", \"name\": \"n\", \"type\": "
	                      "\"Microsoft.Storage/storageAccounts\"}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_AZ_SHOW);
	cr_assert_eq(read_mem("{\"id\": \"/d\", \"type\": \"Microsoft.Resources/deployments\", "
	                      "\"properties\": {}}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_AZ_DEPLOYMENT);
	cr_assert_eq(d.n, 0);
	hg_diags_dispose(&d);
}

Test(export, truncated_and_wrong_files_are_located_errors)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	cr_assert_eq(read_mem("{\"ResourceDescriptions\": [{\"Identifier\": \"a\"},\n "
	                      "{\"Identifier\": \"b",
	                     &s, &d, NULL),
	        HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_EXPORT_TRUNCATED);
	cr_assert_eq(d.items[0]->span.line, 2);
	cr_assert_eq(s.n, 1); /* the first record was delivered before the damage */
	cr_assert_eq(read_mem("{\"foo\": 1}", &s, &d, NULL), HG_EINVALID);
	cr_assert_eq(d.items[1]->code, HG_D_EXPORT_SHAPE);
	cr_assert_eq(read_mem("", &s, &d, NULL), HG_EINVALID);
	cr_assert_eq(d.items[2]->code, HG_D_EXPORT_SYNTAX);
	cr_assert_eq(read_mem("[{}] x", &s, &d, NULL), HG_EINVALID);
	cr_assert_eq(d.items[3]->code, HG_D_EXPORT_SYNTAX);
	cr_assert(hg_diags_exit_code(&d) == 2);
	hg_diags_dispose(&d);
}

Test(export, nesting_and_record_size_are_bounded)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	hg_buf b = HG_BUF_INIT;
	hg_export_limits lim = {64, 512};
	hg_buf_puts(&b, "[");
	hg_buf_fill(&b, '[', 10000);
	hg_buf_fill(&b, ']', 10000);
	hg_buf_puts(&b, "]");
	cr_assert_eq(read_mem(b.ptr, &s, &d, NULL), HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_EXPORT_TOO_DEEP);
	memset(&s, 0, sizeof(s));
	{
		const char *big = "[{\"a\": "
		                  "\"01234567890123456789012345678901234567890123456789012345678901"
		                  "23456789\"}]";
		cr_assert_eq(
		        hg_export_read_mem(big, strlen(big), "e.json", collect, &s, &d, &lim, NULL),
		        HG_EINVALID);
	}
	cr_assert_eq(d.items[1]->code, HG_D_EXPORT_TOO_BIG);
	hg_buf_dispose(&b);
	hg_diags_dispose(&d);
}

Test(export, files_larger_than_the_buffer_stream)
{
	char path[] = "/tmp/hg-export-XXXXXX";
	hg_buf b = HG_BUF_INIT;
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	int fd = mkstemp(path), i;
	cr_assert_geq(fd, 0);
	close(fd);
	hg_buf_puts(&b, "{\"TypeName\": \"AWS::SQS::Queue\", \"ResourceDescriptions\": [");
	for (i = 0; i < 20000; i++)
		hg_buf_printf(&b,
		        "%s{\"Identifier\": \"q%d\", \"Properties\": "
		        "\"{\\\"QueueName\\\":\\\"q%d\\\",\\\"DelaySeconds\\\":%d}\"}",
		        i ? ",\n" : "", i, i, i % 900);
	hg_buf_puts(&b, "]}");
	cr_assert_eq(hg_fs_write_atomic(path, b.ptr, b.size), 0);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(hg_export_read(path, "big.json", collect, &s, &d, NULL, NULL), 0);
	cr_assert_eq(s.n, 20000);
	unlink(path);
	hg_buf_dispose(&b);
	hg_diags_dispose(&d);
}

/* PowerShell's Out-File -Encoding utf8 writes a byte order mark: skipped, columns as without it. */
Test(export, a_utf8_bom_is_skipped)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	hg_export_shape shape;
	cr_assert_eq(read_mem("\xEF\xBB\xBF{\"StackResources\": [{\"LogicalResourceId\": \"A\"}]}",
	                     &s, &d, &shape),
	        0);
	cr_assert_eq(shape, HG_EXP_STACK_RESOURCES);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.col, 21);
	cr_assert_eq(s.offset, 23);
	hg_diags_dispose(&d);
}

/* Windows PowerShell's > writes UTF-16: the error says so, not "not an export hinagata reads". */
Test(export, utf16_is_named)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	static const char text[] = "\xFF\xFE{\0}\0";
	memset(&s, 0, sizeof(s));
	cr_assert_eq(
	        hg_export_read_mem(text, sizeof(text) - 1, "e.json", collect, &s, &d, NULL, NULL),
	        HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_EXPORT_SYNTAX);
	cr_assert(strstr(d.items[0]->args[0], "UTF-16"));
	hg_diags_dispose(&d);
}

static void assert_dup(
        const char *text, const char *key, uint32_t line, uint32_t col, uint32_t first_col)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	cr_assert_eq(read_mem(text, &s, &d, NULL), HG_EINVALID, "%s", text);
	cr_assert_eq(d.n, 1);
	cr_assert_eq(d.items[0]->code, HG_D_EXPORT_DUP_KEY);
	cr_assert_str_eq(d.items[0]->args[0], key);
	cr_assert_eq(d.items[0]->span.line, line);
	cr_assert_eq(d.items[0]->span.col, col);
	cr_assert_eq(d.items[0]->notes[0].span.col, first_col);
	cr_assert_eq(hg_diags_exit_code(&d), 2);
	hg_diags_dispose(&d);
}

/* A key twice in one object: parsers keep one value silently; the reader refuses it. */
Test(export, duplicate_keys_are_refused_with_both_places)
{
	/* in a record, nested */
	assert_dup(
	        "{\"StackResources\": [{\"A\": 1, \"B\": {\"x\": 1, \"x\": 2}}]}", "x", 1, 44, 36);
	/* spelled with an escape */
	assert_dup("[{\"id\": \"a\", \"type\": \"t\", \"\\u0069d\": \"b\"}]", "id", 1, 27, 3);
	/* the top-level object: a listing twice would be read twice */
	assert_dup("{\"StackResources\": [], \"StackResources\": []}", "StackResources", 1, 24, 2);
	/* an az resource show record (the whole object) */
	assert_dup("{\"id\": \"/s/x\", \"type\": \"T\", \"tags\": {\"k\": \"1\"}, \"type\": \"U\"}",
	        "type", 1, 49, 16);
}

/* The same key in different objects, or in an array of objects, is no duplicate. */
Test(export, equal_keys_in_different_objects_are_fine)
{
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	cr_assert_eq(read_mem("[{\"id\": \"a\", \"type\": \"t\", \"p\": [{\"k\": 1}, {\"k\": 2}], "
	                      "\"q\": {\"k\": 3}}]",
	                     &s, &d, NULL),
	        0);
	cr_assert_eq(s.n, 1);
	hg_diags_dispose(&d);
}

/* An object of 200,000 keys with one repeated at the end: found, in linear time. */
Test(export, duplicates_in_a_huge_object_are_found, .timeout = 60)
{
	hg_buf b = HG_BUF_INIT;
	hg_diags d = HG_DIAGS_INIT;
	struct seen s;
	size_t i;
	hg_buf_puts(&b, "[{\"id\": \"a\", \"type\": \"t\", \"tags\": {");
	for (i = 0; i < 200000; i++)
		hg_buf_printf(&b, "\"k%zu\": 1, ", i);
	hg_buf_puts(&b, "\"k17\": 2}}]");
	memset(&s, 0, sizeof(s));
	cr_assert_eq(hg_export_read_mem(b.ptr, b.size, "e.json", collect, &s, &d, NULL, NULL),
	        HG_EINVALID);
	cr_assert_eq(d.items[0]->code, HG_D_EXPORT_DUP_KEY);
	cr_assert_str_eq(d.items[0]->args[0], "k17");
	hg_buf_dispose(&b);
	hg_diags_dispose(&d);
}

Test(jv, parses_unescapes_and_hashes_canonically)
{
	hg_arena *a = hg_arena_new();
	hg_jv *x, *y;
	hg_jv_error err;
	hg_buf b = HG_BUF_INIT;
	cr_assert_eq(
	        hg_jv_parse(&x, a,
	                "{\"b\": [1, 2.5e3, true], \"a\": \"\\u65e5\\u672c \\ud83d\\ude00\\n\"}",
	                strlen("{\"b\": [1, 2.5e3, true], \"a\": \"\\u65e5\\u672c "
	                       "\\ud83d\\ude00\\n\"}"),
	                64, &err),
	        0);
	cr_assert_eq(hg_jv_parse(&y, a, "{\"a\":\"日本 😀\\n\",\"b\":[1,2.5e3,true]}",
	                     strlen("{\"a\":\"日本 😀\\n\",\"b\":[1,2.5e3,true]}"), 64, &err),
	        0);
	cr_assert(hg_jv_equal(x, y));
	hg_jv_canonical(&b, x);
	cr_assert_str_eq(b.ptr, "{\"a\":\"日本 😀\\n\",\"b\":[1,2.5e3,true]}");
	cr_assert_eq(hg_jv_hash(x), hg_jv_hash(y));
	cr_assert_eq(hg_jv_parse(&x, a, "{\"a\": [1, }", strlen("{\"a\": [1, }"), 64, &err), -1);
	cr_assert_eq(hg_jv_parse(&x, a, "{\"a\": \"open", strlen("{\"a\": \"open"), 64, &err), -1);
	cr_assert(err.truncated);
	cr_assert_eq(hg_jv_parse(&x, a, "[[[[1]]]]", strlen("[[[[1]]]]"), 3, &err), -1);
	hg_buf_dispose(&b);
	hg_arena_dispose(a);
}

/* The body of a string of JSON parsed where it is; what it does not read is said by -1. */
static int body_parse(
        hg_arena *a, const char *body, hg_jv **out, const char *const *keys, size_t nkeys)
{
	char *copy = hg_arena_strdup(a, body);
	return hg_jv_parse_string_body(out, a, copy, strlen(copy), 64, keys, nkeys);
}

Test(jv, a_string_body_is_parsed_where_it_is)
{
	static const char rec[] = "{\"Identifier\": \"q,]}\\\"x\", \"Nested\": {\"Properties\": 1, "
	                          "\"a\": [1, {\"b\": null}]},\n  \"Properties\": "
	                          "\"{\\\"A\\\":\\\"b c\\\",\\\"N\\\":[1,-2.5e3,true,false,null,"
	                          "{\\\"k\\\":\\\"\\\"}],\\\"E\\\":{}}\"}";
	static const char *const only_n[] = {"N"};
	hg_arena *a = hg_arena_new();
	const char *v = NULL;
	size_t vl = 0;
	hg_jv *body, *decoded, *s;
	hg_buf canon = HG_BUF_INIT;
	char *inner;

	/* the top-level member, not the one of the same name nested before it */
	cr_assert_eq(hg_jv_known_member(rec, strlen(rec), "Properties", &v, &vl), 0);
	cr_assert_eq(v[0], '"');
	cr_assert_eq(v[vl - 1], '"');
	cr_assert_eq(hg_jv_known_member(rec, strlen(rec), "Propertie", &v, &vl), -1);
	cr_assert_eq(hg_jv_known_member(rec, strlen(rec), "a", &v, &vl), -1);
	cr_assert_eq(hg_jv_known_member(rec, strlen(rec), "Properties", &v, &vl), 0);
	/* the same tree as the string decoded and parsed */
	inner = hg_arena_strndup(a, v + 1, vl - 2);
	cr_assert_eq(hg_jv_parse_string_body(&body, a, inner, vl - 2, 64, NULL, 0), 0);
	cr_assert_eq(hg_jv_parse(&s, a, v, vl, 64, NULL), 0);
	cr_assert_eq(hg_jv_parse(&decoded, a, s->u.s, s->n, 64, NULL), 0);
	cr_assert(hg_jv_equal(body, decoded));
	hg_jv_canonical(&canon, body);
	cr_assert_str_eq(canon.ptr,
	        "{\"A\":\"b c\",\"E\":{},\"N\":[1,-2.5e3,true,false,null,{\"k\":\"\"}]}");
	/* only the members asked for are built */
	cr_assert_eq(body_parse(a, "{\\\"A\\\":1,\\\"N\\\":[2]}", &body, only_n, 1), 0);
	cr_assert_eq(body->n, 1);
	cr_assert_str_eq(body->u.members[0].key, "N");
	/* anything else is left to the decoding parse: an escape in an inner
	 * string, an escaped blank, a bare quote, a truncated body, trailing data */
	cr_assert_eq(body_parse(a, "{\\\"A\\\":\\\"x\\\\\\\"y\\\"}", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "{\\\"A\\\":\\\"\\\\u00e9\\\"}", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "{\\n\\\"A\\\":1}", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "{\"A\":1}", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "{\\\"A\\\":[1,", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "{\\\"A\\\":1} x", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "", &body, NULL, 0), -1);
	cr_assert_eq(body_parse(a, "\\\"s\\\"", &body, NULL, 0), 0);
	cr_assert_str_eq(hg_jv_str(body), "s");
	hg_buf_dispose(&canon);
	hg_arena_dispose(a);
}

/* ---- describe-stack-resources: records checked whole in one pass ---- */

struct sr_seen {
	int n, checked;
	uint32_t line[10000], col[10000];
	char logical[64], type[64];
};

static int collect_sr(const hg_export_item *it, void *payload)
{
	struct sr_seen *s = payload;
	if (s->n < 10000) {
		s->line[s->n] = it->span.line;
		s->col[s->n] = it->span.col;
	}
	s->n++;
	s->checked += it->checked;
	if (it->checked && it->field[HG_SR_LOGICAL_ID])
		snprintf(s->logical, sizeof(s->logical), "%.*s", (int)it->flen[HG_SR_LOGICAL_ID],
		        it->field[HG_SR_LOGICAL_ID]);
	if (it->checked && it->field[HG_SR_TYPE])
		snprintf(s->type, sizeof(s->type), "%.*s", (int)it->flen[HG_SR_TYPE],
		        it->field[HG_SR_TYPE]);
	return 0;
}

/*
 * The AWS CLI's indented records, 10,000 of them (3.4 MB: the reader's
 * buffer is refilled in the middle of records): each is checked whole, its
 * fields found, and each starts where it is (line and column counted
 * through the records' own line feeds).
 */
Test(export, stack_resources_are_checked_in_one_pass)
{
	char path[] = "/tmp/hg-export-XXXXXX";
	hg_buf b = HG_BUF_INIT;
	hg_diags d = HG_DIAGS_INIT;
	static struct sr_seen s;
	int fd = mkstemp(path), i;
	uint32_t line = 3;

	cr_assert_geq(fd, 0);
	close(fd);
	hg_buf_puts(&b, "{\n    \"StackResources\": [\n");
	for (i = 0; i < 10000; i++) {
		hg_buf_printf(&b,
		        "        {\n            \"StackName\": \"s\",\n            "
		        "\"LogicalResourceId\": "
		        "\"R%d\",\n            \"PhysicalResourceId\": \"p-%d\",\n"
		        "            \"ResourceType\": \"AWS::SQS::Queue\",\n            "
		        "\"Timestamp\": "
		        "\"2026-04-01T09:00:00.000000+00:00\",\n            \"ResourceStatus\": "
		        "\"CREATE_COMPLETE\",\n            \"DriftInformation\": {\n"
		        "                \"StackResourceDriftStatus\": \"NOT_CHECKED\"\n"
		        "            }\n        }%s\n",
		        i, i, i < 9999 ? "," : "");
	}
	hg_buf_puts(&b, "    ]\n}\n");
	cr_assert_gt(b.size, 3000000);
	cr_assert_eq(hg_fs_write_atomic(path, b.ptr, b.size), 0);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(hg_export_read(path, "sr.json", collect_sr, &s, &d, NULL, NULL), 0);
	unlink(path);
	cr_assert_eq(s.n, 10000);
	cr_assert_eq(s.checked, 10000);
	{ /* a record that starts on the line where the one before it ends */
		const char *two = "{\"StackResources\": [{\n \"A\": 1\n}, {\"B\": 2}]}";
		static struct sr_seen t;
		cr_assert_eq(hg_export_read_mem(
		                     two, strlen(two), "e.json", collect_sr, &t, &d, NULL, NULL),
		        0);
		cr_assert_eq(t.checked, 2);
		cr_assert_eq(t.line[1], 3);
		cr_assert_eq(t.col[1], 4);
	}
	cr_assert_str_eq(s.logical, "\"R9999\"");
	cr_assert_str_eq(s.type, "\"AWS::SQS::Queue\"");
	for (i = 0; i < 10000; i++, line += 11) {
		cr_assert_eq(s.line[i], line, "record %d: line %u", i, s.line[i]);
		cr_assert_eq(s.col[i], 9, "record %d", i);
	}
	hg_buf_dispose(&b);
	hg_diags_dispose(&d);
}

/*
 * What the one pass cannot decide goes to the reader's scan, which says
 * where: a key twice (both places), a key spelled with an escape, a record
 * cut short; a record that is not valid JSON inside is handed over
 * unchecked, for its reader to say what is wrong.
 */
Test(export, stack_resources_the_one_pass_does_not_decide)
{
	hg_diags d = HG_DIAGS_INIT;
	static struct sr_seen s;
	const char *bad_literal = "{\"StackResources\": [\n  {\"A\": 1},\n  {\"B\": tru}\n]}";

	assert_dup("{\"StackResources\": [\n  {\"A\": 1},\n  {\"B\": 2, \"C\": {\"x\": 1},\n   "
	           "\"B\": 3}\n]}",
	        "B", 4, 4, 4);
	assert_dup("{\"StackResources\": [\n  {\"id\": 1, \"\\u0069d\": 2}\n]}", "id", 2, 13, 4);
	memset(&s, 0, sizeof(s));
	cr_assert_eq(hg_export_read_mem(bad_literal, strlen(bad_literal), "e.json", collect_sr, &s,
	                     &d, NULL, NULL),
	        0);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.checked, 1); /* the second: unchecked, for on_stack_resource to refuse */
	cr_assert_eq(s.line[1], 3);
	cr_assert_eq(s.col[1], 3);
	memset(&s, 0, sizeof(s));
	{
		const char *cut = "{\"StackResources\": [\n  {\"A\": {\"B\": 1}";
		cr_assert_eq(hg_export_read_mem(
		                     cut, strlen(cut), "e.json", collect_sr, &s, &d, NULL, NULL),
		        HG_EINVALID);
	}
	cr_assert_eq(d.items[0]->code, HG_D_EXPORT_TRUNCATED);
	cr_assert_eq(d.items[0]->span.line, 2);
	hg_diags_dispose(&d);
}

/* hg_jv_check_record: its answers, and where a record ends. */
Test(jv, check_record)
{
	static const char *const keys[] = {"a", "b"};
	const char *v[2];
	size_t n[2];
	hg_jv_error err;
	hg_jv_record_end end;
	const char *ok = "{\"a\": 1,\n \"c\": {\"a\": 2},\n \"b\": \"x\"}, {\"next\": 1}";

	memset(v, 0, sizeof(v));
	cr_assert_eq(hg_jv_check_record(ok, strlen(ok), 512, &err, keys, 2, v, n, &end), 0);
	cr_assert_eq(end.used, 35);
	cr_assert_eq(end.lines, 2);
	cr_assert_eq(end.last_nl, 24);
	cr_assert_eq(n[0], 1);
	cr_assert_eq(v[0][0], '1');
	cr_assert_eq(n[1], 3);
	cr_assert_eq(strncmp(v[1], "\"x\"", 3), 0);
	cr_assert_eq(hg_jv_check_record(
	                     "{\"a\": 1, \"a\": 2}", 16, 512, &err, NULL, 0, NULL, NULL, &end),
	        -2);
	cr_assert_eq(
	        hg_jv_check_record("{\"\\u0061\": 1}", 13, 512, &err, NULL, 0, NULL, NULL, &end),
	        -2);
	/* a duplicate far from its first, past keys of its length and first byte */
	cr_assert_eq(hg_jv_check_record("{\"ab\": 1, \"ac\": 2, \"x\": 3, \"ab\": 4}", 35, 512,
	                     &err, NULL, 0, NULL, NULL, &end),
	        -2);
	cr_assert_eq(hg_jv_check_record("{\"ab\": 1, \"ac\": 2, \"x\": 3, \"ad\": 4}", 35, 512,
	                     &err, NULL, 0, NULL, NULL, &end),
	        0);
	cr_assert_eq(
	        hg_jv_check_record("{\"a\": [1, 2", 11, 512, &err, NULL, 0, NULL, NULL, &end), -1);
	cr_assert(err.truncated);
	cr_assert_eq(
	        hg_jv_check_record("{\"a\": tru}", 10, 512, &err, NULL, 0, NULL, NULL, &end), -1);
	cr_assert(!err.truncated);
	cr_assert_eq(hg_jv_check_record("[[[1]]]", 7, 2, &err, NULL, 0, NULL, NULL, &end), -1);
	{ /* 17 members: the reader's scan (its index) decides; 16 are checked here */
		hg_buf b = HG_BUF_INIT;
		int i;
		for (i = 0; i < 17; i++)
			hg_buf_printf(&b, "%s\"k%d\": %d", i ? ", " : "{", i, i);
		hg_buf_putc(&b, '}');
		cr_assert_eq(
		        hg_jv_check_record(b.ptr, b.size, 512, &err, NULL, 0, NULL, NULL, &end),
		        -2);
		hg_buf_clear(&b);
		for (i = 0; i < 16; i++)
			hg_buf_printf(&b, "%s\"k%d\": %d", i ? ", " : "{", i, i);
		hg_buf_putc(&b, '}');
		cr_assert_eq(
		        hg_jv_check_record(b.ptr, b.size, 512, &err, NULL, 0, NULL, NULL, &end), 0);
		cr_assert_eq(end.used, b.size);
		hg_buf_dispose(&b);
	}
	{ /* keys looked for: by their lengths up to 32 of them, one by one past that */
		static const char *many[40];
		char names[40][8];
		const char *mv[40];
		size_t mn[40];
		int i;
		for (i = 0; i < 40; i++) {
			snprintf(names[i], sizeof(names[i]), "k%d", i);
			many[i] = names[i];
		}
		memset(mv, 0, sizeof(mv));
		cr_assert_eq(hg_jv_check_record("{\"k1\": 10, \"k39\": 11, \"k3\": 12}", 31, 512,
		                     &err, many, 40, mv, mn, &end),
		        0);
		cr_assert(mv[1] && strncmp(mv[1], "10", mn[1]) == 0);
		cr_assert(mv[39] && strncmp(mv[39], "11", mn[39]) == 0);
		cr_assert(mv[3] && strncmp(mv[3], "12", mn[3]) == 0);
		cr_assert_null(mv[2]);
		memset(mv, 0, sizeof(mv));
		cr_assert_eq(hg_jv_check_record("{\"k1\": 10, \"k3\": 12}", 20, 512, &err, many, 32,
		                     mv, mn, &end),
		        0);
		cr_assert(mv[1] && mn[1] == 2 && mv[3] && mn[3] == 2);
		cr_assert_null(mv[10]);
	}
}
