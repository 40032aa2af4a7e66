/*
 * cmd_fleet.c: hinagata fleet plan: the work units of a fleet manifest
 * (fleet.yaml), all of them or one shard's, for people (text) and for the
 * collectors and batch jobs (JSON).
 * Part of hinagata; see LICENSE.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/shard.h"
#include "../fleet/fleet.h"
#include "cli.h"

static void help(hg_cli *cli)
{
	if (cli->lang == HG_LANG_JA)
		fputs("使い方: hinagata fleet plan [--shard I/N] [--format text|json] "
		      "[--templates DIR]\n"
		      "                           [--lang ja|en] FLEET.yaml\n\n"
		      "フリートのマニフェスト (fleet.yaml) を検査し、作業単位 (AWS のアカウントと\n"
		      "リージョンの組、Azure のサブスクリプション) を示します。--shard (または\n"
		      "JOB_COMPLETION_INDEX/JOB_COMPLETIONS、AWS_BATCH_JOB_ARRAY_INDEX/_SIZE) が\n"
		      "あれば、そのシャードの作業単位だけを示します。hinagata drift --shard と\n"
		      "同じ割り当てです。\n\n"
		      "オプション:\n"
		      "  --shard I/N           N 個に分けたうちの I 番目 (1 から)\n"
		      "  --format FMT          text (既定) か json (コレクタとバッチジョブ向け)\n"
		      "  --templates DIR       プロファイルの検索パスの先頭に DIR を加える\n"
		      "  --lang ja|en          言語 (既定はロケールから)\n\n"
		      "終了コード: 0 問題なし、1 マニフェストに誤りがある、2 実行できない。\n",
		        stdout);
	else
		fputs("usage: hinagata fleet plan [--shard I/N] [--format text|json] "
		      "[--templates DIR]\n"
		      "                           [--lang ja|en] FLEET.yaml\n\n"
		      "Check a fleet manifest (fleet.yaml) and print its work units: one per AWS\n"
		      "account and region, one per Azure subscription. With --shard (or\n"
		      "JOB_COMPLETION_INDEX/JOB_COMPLETIONS, AWS_BATCH_JOB_ARRAY_INDEX/_SIZE),\n"
		      "only the units of that shard: the assignment hinagata drift --shard uses.\n\n"
		      "Options:\n"
		      "  --shard I/N           shard I of N (from 1)\n"
		      "  --format FMT          text (default) or json (for collectors and batch "
		      "jobs)\n"
		      "  --templates DIR       put DIR first on the search path for profiles\n"
		      "  --lang ja|en          language (default: from the locale)\n\n"
		      "Exit status: 0 clean, 1 errors in the manifest, 2 could not run.\n",
		        stdout);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* What the collector lists in a unit, and how. */
static json_t *list_json(const hg_fleet *f, const hg_fleet_unit *u)
{
	json_t *l = json_array();
	size_t i;
	for (i = 0; i < u->ntypes; i++)
		json_array_append_new(l, json_pack("{s:s, s:s}", "type", u->types[i], "via",
		                                 hg_fleet_via_of(f, u->types[i])));
	return l;
}

static json_t *unit_json(const hg_fleet *f, const hg_fleet_plan *p, const hg_fleet_unit *u)
{
	const hg_fleet_target *t = u->target;
	json_t *o = json_object(), *stacks = json_array();
	size_t i;

	json_object_set_new(o, "cloud", json_string(hg_cloud_name(t->cloud)));
	json_object_set_new(o, "key", json_string(u->key));
	if (t->cloud == HG_CLOUD_AWS) {
		json_t *c = json_object();
		json_object_set_new(o, "account", json_string(t->id));
		json_object_set_new(o, "region", json_string(u->region));
		json_object_set_new(o, "home", json_boolean(u->home));
		if (t->creds.profile)
			json_object_set_new(c, "profile", json_string(t->creds.profile));
		if (t->creds.role)
			json_object_set_new(c, "role", json_string(t->creds.role));
		if (t->creds.external_id)
			json_object_set_new(c, "externalId", json_string(t->creds.external_id));
		if (t->creds.role)
			json_object_set_new(c, "sessionName", json_string(t->creds.session_name
			                                                          ? t->creds.session_name
			                                                          : "hinagata-collect"));
		json_object_set_new(o, "credentials", c);
		json_object_set_new(o, "list", list_json(f, u));
	} else {
		json_t *g = json_array();
		json_object_set_new(o, "subscription", json_string(t->id));
		for (i = 0; i < t->ngroups; i++)
			json_array_append_new(g, json_string(t->groups[i]));
		json_object_set_new(o, "resourceGroups", t->groups ? g : (json_decref(g), json_null()));
	}
	json_object_set_new(o, "name", str_or_null(t->name));
	json_object_set_new(o, "profile", str_or_null(t->profile));
	json_object_set_new(o, "dir", json_string(u->dir));
	json_object_set_new(o, "shard", json_integer(p->shard.count ? (json_int_t)u->shard + 1 : 1));
	for (i = 0; i < u->nstacks; i++) {
		json_t *s = json_object();
		json_object_set_new(s, "name", json_string(u->stacks[i]->name));
		json_object_set_new(s, "template", str_or_null(u->stacks[i]->template_path));
		json_array_append_new(stacks, s);
	}
	json_object_set_new(o, t->cloud == HG_CLOUD_AWS ? "stacks" : "deployments", stacks);
	return o;
}

static void print_json(const hg_fleet *f, const hg_fleet_plan *p)
{
	json_t *o = json_object(), *units = json_array(), *tpl = json_array(), *global = json_array(), *via = json_object();
	char *text;
	size_t i;

	json_object_set_new(o, "schema", json_string("hinagata-fleet-plan/1"));
	json_object_set_new(o, "fleet", str_or_null(f->name));
	json_object_set_new(o, "manifest", json_string(f->file));
	if (p->shard.count)
		json_object_set_new(o, "shard",
		        json_pack("{s:I, s:I}", "index", (json_int_t)p->shard.index + 1, "count",
		                (json_int_t)p->shard.count));
	else
		json_object_set_new(o, "shard", json_null());
	json_object_set_new(o, "total", json_integer((json_int_t)p->total));
	for (i = 0; i < p->n; i++)
		json_array_append_new(units, unit_json(f, p, &p->units[i]));
	json_object_set_new(o, "units", units);
	for (i = 0; i < p->ntemplates; i++)
		json_array_append_new(tpl, json_string(p->templates[i]));
	json_object_set_new(o, "templates", tpl);
	for (i = 0; i < f->nglobal; i++)
		json_array_append_new(global, json_string(f->global[i]));
	json_object_set_new(o, "globalTypes", global);
	for (i = 0; i < f->nvia; i++)
		json_object_set_new(via, f->via[i].type, json_string(f->via[i].via));
	json_object_set_new(o, "via", via);
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

static void print_text(hg_cli *cli, const hg_fleet *f, const hg_fleet_plan *p)
{
	bool ja = cli->lang == HG_LANG_JA;
	size_t i, k;

	printf(ja ? "# フリート %s (%s): 作業単位 %zu 個" : "# fleet %s (%s): %zu work units",
	        f->name ? f->name : "-", f->file, p->total);
	if (p->shard.count)
		printf(ja ? "、うちシャード %u/%u に %zu 個" : ", %3$zu of them in shard %1$u/%2$u",
		        p->shard.index + 1, p->shard.count, p->n);
	putchar('\n');
	for (i = 0; i < p->n; i++) {
		const hg_fleet_unit *u = &p->units[i];
		const hg_fleet_target *t = u->target;
		printf("%-5s  %-36s  %s  %s", hg_cloud_name(t->cloud), u->key, t->name ? t->name : "-",
		        t->profile ? t->profile : "-");
		if (p->shard.count)
			printf("  shard %u/%u", u->shard + 1, p->shard.count);
		if (u->home && t->nregions > 1)
			printf(ja ? "  ホーム (グローバルな型)" : "  home (global types)");
		if (t->creds.role)
			printf("  role %s", t->creds.role);
		if (t->creds.profile)
			printf("  profile %s", t->creds.profile);
		for (k = 0; t->cloud == HG_CLOUD_AZURE && k < t->ngroups; k++)
			printf("%s%s", k ? ", " : (ja ? "  リソースグループ " : "  resource groups "),
			        t->groups[k]);
		putchar('\n');
		for (k = 0; k < u->nstacks; k++)
			printf("       %s %s%s%s\n",
			        t->cloud == HG_CLOUD_AWS ? (ja ? "スタック" : "stack")
			                                 : (ja ? "デプロイ" : "deployment"),
			        u->stacks[k]->name, u->stacks[k]->template_path ? ": " : "",
			        u->stacks[k]->template_path ? u->stacks[k]->template_path : "");
	}
}

static int plan(hg_cli *cli, int argc, char **argv)
{
	enum { OPT_SHARD = 256, OPT_FORMAT, OPT_TEMPLATES, OPT_LANG };
	static const struct option longopts[] = {
	        {"shard", required_argument, NULL, OPT_SHARD},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"templates", required_argument, NULL, OPT_TEMPLATES},
	        {"lang", required_argument, NULL, OPT_LANG},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *shard_flag = NULL;
	bool json = false;
	hg_cli_paths paths = {0};
	hg_shard shard;
	hg_fleet_options fo;
	hg_fleet *f = NULL;
	hg_fleet_plan *p = NULL;
	hg_diags d = HG_DIAGS_INIT;
	int c, rc = HG_EXIT_FAILURE, r;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SHARD:
			shard_flag = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0)
				json = strcmp(optarg, "json") == 0;
			else {
				rc = hg_cli_usage_error(cli, "fleet plan", "unknown format '%s' (text, json)",
				        "形式 '%s' は未知です (text, json)", optarg);
				goto out;
			}
			break;
		case OPT_TEMPLATES:
			hg_cli_paths_add(&paths, optarg);
			break;
		case OPT_LANG:
			if (!hg_cli_set_lang(cli, optarg))
				goto out;
			break;
		case 'h':
			help(cli);
			rc = HG_EXIT_CLEAN;
			goto out;
		default:
			rc = hg_cli_usage_error(cli, "fleet plan",
			        optopt ? "option '-%s' is unknown or needs a value"
			               : "option '%s' is unknown or needs a value",
			        optopt ? "オプション '-%s' は未知か、値が必要です"
			               : "オプション '%s' は未知か、値が必要です",
			        optopt ? (char[]){(char)optopt, 0} : argv[optind - 1]);
			goto out;
		}
	}
	if (optind != argc - 1) {
		rc = hg_cli_usage_error(cli, "fleet plan", "%s", "%s",
		        optind >= argc ? (cli->lang == HG_LANG_JA ? "fleet.yaml がありません"
		                                                  : "no fleet.yaml given")
		                       : (cli->lang == HG_LANG_JA ? "fleet.yaml は 1 つだけ指定してください"
		                                                  : "give one fleet.yaml"));
		goto out;
	}
	if (!hg_cli_paths_check(cli, &paths) || !hg_cli_shard(cli, &shard, shard_flag))
		goto out;
	hg_cli_paths_finish(&paths);
	memset(&fo, 0, sizeof(fo));
	fo.template_dirs = paths.dirs;
	fo.ntemplate_dirs = paths.ndirs;
	fo.bundled_dir = paths.bundled;
	fo.schema_dir = paths.schemas;
	r = hg_fleet_read(&f, argv[optind], &fo, &d);
	hg_cli_print_diags(cli, &d);
	if (r < 0) {
		rc = r == HG_EIO || d.env_error ? HG_EXIT_FAILURE : HG_EXIT_FINDINGS;
		goto out;
	}
	p = hg_fleet_plan_new(f, &shard);
	if (json)
		print_json(f, p);
	else
		print_text(cli, f, p);
	rc = HG_EXIT_CLEAN;
out:
	hg_fleet_plan_free(p);
	hg_fleet_free(f);
	hg_diags_dispose(&d);
	hg_cli_paths_dispose(&paths);
	return rc;
}

int hg_cmd_fleet(hg_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "plan") == 0)
		return plan(cli, argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		help(cli);
		return HG_EXIT_CLEAN;
	}
	return hg_cli_usage_error(cli, "fleet", "%s", "%s",
	        argc < 2 ? (cli->lang == HG_LANG_JA ? "サブコマンドがありません (plan)"
	                                            : "no subcommand given (plan)")
	                 : (cli->lang == HG_LANG_JA ? "未知のサブコマンドです (plan)"
	                                            : "unknown subcommand (plan)"));
}
