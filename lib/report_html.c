/*
 * report_html — the audit report's model as one self-contained HTML
 * document: inline style sheet and SVG, no script, nothing fetched.  On
 * screen one column; printed on A4 each section starts a page and a
 * table's header row repeats on every page it spans.  Written through
 * html.c, so every text from the policy or the daemon is escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report.h"
#include "report_impl.h"

static const char report_css[] =
"@page{size:A4;margin:14mm 12mm 16mm 12mm}"
"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
"body{font-family:\"IPAexGothic\",\"IPAGothic\",\"Noto Sans CJK JP\","
"\"Hiragino Kaku Gothic ProN\",\"Yu Gothic\",Meiryo,sans-serif;"
"font-size:10pt;line-height:1.55;color:#111;max-width:60em;margin:0 auto;"
"padding:1em}"
"h1{font-size:18pt;margin:.2em 0 .4em;border-bottom:3px solid #333}"
"h2{font-size:14pt;margin:0 0 .5em;padding:.15em .4em;background:#263238;"
"color:#fff}"
"h3{font-size:11.5pt;margin:1em 0 .3em;border-left:5px solid #607d8b;"
"padding-left:.4em}"
"section{break-before:page;page-break-before:always}"
"section.first{break-before:auto;page-break-before:auto}"
"table{border-collapse:collapse;width:100%;margin:.4em 0 .8em;"
"font-size:8.5pt}"
"thead{display:table-header-group}"
"tr{break-inside:avoid;page-break-inside:avoid}"
"th,td{border:1px solid #9e9e9e;padding:2px 4px;text-align:left;"
"vertical-align:top;overflow-wrap:anywhere}"
"th{background:#eceff1}"
"table.facts th{width:13em}"
".mono{font-family:\"DejaVu Sans Mono\",monospace;font-size:.95em}"
".guide{border:1px solid #b0bec5;background:#f5f7f8;padding:.4em .7em;"
"margin:.3em 0 .6em}"
".guide .cite{font-weight:bold;color:#37474f}"
".pass{color:#1b5e20;font-weight:bold}"
".fail{color:#b3261e;font-weight:bold}"
".warn{color:#8a5a00;font-weight:bold}"
".info{color:#37474f}"
".pass,.fail,.warn,.alarm{white-space:nowrap}"
".expired td{background:#fdecea}"
".expiring td{background:#fff8e1}"
".none{color:#616161;border:1px dashed #9e9e9e;padding:.1em .4em;"
"display:inline-block}"
".alarm{color:#fff;background:#b3261e;padding:.1em .4em;font-weight:bold}"
".diagram{text-align:center;margin:.5em 0}"
".diagram svg{max-width:100%;height:auto;max-height:230mm}"
".swatch{display:inline-block;width:3em;height:0;vertical-align:middle;"
"margin-right:.4em}"
"nav ol{columns:2;font-size:9.5pt}"
"footer{margin-top:2em;font-size:8pt;color:#616161}"
"@media print{body{max-width:none;padding:0}a{color:inherit;"
"text-decoration:none}}";

/* ---------------------------------------------------------------------
 * Reading the model
 */

static bool
has(const json_t *o, const char *k)
{
	return json_is_string(json_object_get(o, k));
}

static long long
ji(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static bool
recorded(const json_t *o)
{
	return strcmp(js(o, "state"), "recorded") == 0;
}

/* ---------------------------------------------------------------------
 * Pieces
 */

/* A fact the daemon did not give: 未記録, offline, or why not. */
static void
missing(struct html *h, const json_t *o)
{
	const char *st = json_is_object(o) ? js(o, "state") : "unrecorded";

	html_open(h, "span", "class", "none", NULL);
	html_text(h, report_state_label(st));
	if (has(o, "why"))
		html_textf(h, "（%s）", js(o, "why"));
	html_close(h, "span");
}

static void
table_start(struct html *h, const char *cls, const char *const *heads)
{
	html_open(h, "table", "class", cls, NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	for (; *heads; heads++)
		html_elem(h, "th", NULL, *heads);
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody", NULL);
}

static void
table_end(struct html *h)
{
	html_close(h, "tbody");
	html_close(h, "table");
}

static void
td(struct html *h, const char *text)
{
	html_elem(h, "td", NULL, text);
}

static void
td_mono(struct html *h, const char *text)
{
	html_elem(h, "td", "mono", text);
}

static void
tdf_num(struct html *h, long long v)
{
	html_open(h, "td", NULL);
	html_textf(h, "%lld", v);
	html_close(h, "td");
}

/* A row of a facts table: its header, then the caller writes the cell. */
static void
fact_start(struct html *h, const char *head)
{
	html_open(h, "tr", NULL);
	html_elem(h, "th", NULL, head);
	html_open(h, "td", NULL);
}

static void
fact_end(struct html *h)
{
	html_close(h, "td");
	html_close(h, "tr");
}

static void
fact(struct html *h, const char *head, const char *text, const char *cls)
{
	fact_start(h, head);
	html_elem(h, "span", cls, text);
	fact_end(h);
}

static void
para(struct html *h, const char *cls, const char *text)
{
	html_elem(h, "p", cls, text);
}

static void
guide(struct html *h, const char *cite, const char *text)
{
	html_open(h, "div", "class", "guide", NULL);
	html_elem(h, "span", "cite", cite);
	html_text(h, " ");
	html_text(h, text);
	html_close(h, "div");
}

static void
section_start(struct html *h, const char *id, const char *title,
    bool first)
{
	html_open(h, "section", "id", id, "class", first ? "first" : NULL,
	    NULL);
	html_elem(h, "h2", NULL, title);
}

static const char *
result_label(const char *r)
{
	if (strcmp(r, "pass") == 0)
		return "適合";
	if (strcmp(r, "fail") == 0)
		return "不適合";
	if (strcmp(r, "warn") == 0)
		return "要確認（警告）";
	return "判定できず（ファイルが読めない）";
}

static void
result(struct html *h, const char *r)
{
	html_elem(h, "span", strcmp(r, "pass") == 0 ? "pass" :
	    strcmp(r, "fail") == 0 ? "fail" : "warn", result_label(r));
}

/* A flow's usage cell: packets, first and last hit where kept. */
static void
usage_cell(struct html *h, const json_t *f)
{
	const json_t *u = json_object_get(f, "usage");

	html_open(h, "td", NULL);
	if (json_is_integer(json_object_get(u, "packets"))) {
		html_textf(h, "%lld パケット", ji(u, "packets"));
		html_void(h, "br", NULL);
	}
	if (recorded(u)) {
		html_textf(h, "初回 %s", has(u, "first_hit") ?
		    js(u, "first_hit") : "なし");
		html_void(h, "br", NULL);
		html_textf(h, "最終 %s", has(u, "last_hit") ?
		    js(u, "last_hit") : "なし");
	} else {
		html_text(h, "初回・最終利用: ");
		missing(h, u);
	}
	html_close(h, "td");
}

/* ---------------------------------------------------------------------
 * Cover, contents, 1 概要
 */

static const char *const sections[][2] = {
	{ "s1", "1. 概要" },
	{ "s2", "2. ゾーン構成図" },
	{ "s3-mynumber", "3.1 マイナンバー利用事務系の分離" },
	{ "s3-lgwan-internet", "3.2 LGWAN接続系とインターネット接続系の分割・"
	    "無害化通信" },
	{ "s3-closed", "3.3 閉域網の分離" },
	{ "s3-monitoring", "3.4 インターネット接続系の監視" },
	{ "s3-integrity", "3.5 設定の整合性と管理経路" },
	{ "s4", "4. 例外措置台帳" },
	{ "s5", "5. 作業記録" },
	{ "s6", "6. 自己点検" },
	{ "s7", "付録 ポリシーの全定義と指摘" },
};

static void
cover(struct html *h, const json_t *m)
{
	const json_t *p = json_object_get(m, "policy");

	html_elem(h, "h1", NULL, "三層の対策 監査報告書");
	html_open(h, "p", NULL);
	html_text(h, "境界装置 ");
	html_elem(h, "span", "mono", js(m, "appliance"));
	html_textf(h, " の分離ポリシー（zoned）について、%s。",
	    json_is_true(json_object_get(m, "online")) ?
	    "稼働中の装置から取得した設定・検証結果・記録をまとめたもの" :
	    "ポリシーファイルのみから作成したもの（稼働中の装置の情報は含まない）");
	html_close(h, "p");
	html_open(h, "p", NULL);
	html_textf(h, "作成日時 %s　ポリシーファイル ", js(m, "generated_at"));
	html_elem(h, "span", "mono", js(p, "file"));
	html_close(h, "p");
	html_open(h, "nav", NULL);
	html_elem(h, "h3", NULL, "目次");
	html_open(h, "ol", NULL);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		char href[40];
		snprintf(href, sizeof(href), "#%s", sections[i][0]);
		html_open(h, "li", NULL);
		html_open(h, "a", "href", href, NULL);
		html_text(h, sections[i][1]);
		html_close(h, "a");
		html_close(h, "li");
	}
	html_close(h, "ol");
	html_close(h, "nav");
}

static void
overview_daemon(struct html *h, const json_t *m)
{
	const json_t *d = json_object_get(m, "daemon");
	const json_t *c = json_object_get(m, "clock");
	const json_t *k = json_object_get(m, "kernel");
	const json_t *iso = json_object_get(m, "isolation");
	const json_t *cf = json_object_get(m, "confirm");
	const json_t *v;
	size_t i;

	fact_start(h, "時刻同期");
	if (!recorded(c))
		missing(h, c);
	else if (json_is_true(json_object_get(c, "synchronised")))
		html_elem(h, "span", "pass", "同期済み");
	else {
		html_elem(h, "span", "fail", "同期していない");
		if (has(c, "why"))
			html_textf(h, "（%s）", js(c, "why"));
	}
	if (recorded(c) && json_is_integer(json_object_get(c,
	    "estimated_error_us")))
		html_textf(h, "　推定誤差 %lld µs", ji(c, "estimated_error_us"));
	fact_end(h);
	fact_start(h, "カーネルのルールセット");
	if (!recorded(k))
		missing(h, k);
	else if (json_is_true(json_object_get(k, "match")))
		html_elem(h, "span", "pass", "ポリシーと一致");
	else if (json_is_false(json_object_get(k, "match")))
		html_textf(h, "不一致（差分 %lld 件）", ji(k, "differences"));
	else
		html_text(h, "未検証");
	fact_end(h);
	fact_start(h, "装置の状態");
	if (recorded(d)) {
		html_elem(h, "span", strcmp(js(d, "mode"), "enforcing") ?
		    "fail" : "pass", js(d, "mode_label"));
		html_textf(h, "（zoned pid %lld、起動 %s）", ji(d, "pid"),
		    js(d, "started"));
	} else
		missing(h, d);
	fact_end(h);
	fact_start(h, "緊急遮断中のゾーン");
	if (!recorded(iso))
		missing(h, iso);
	else if (json_array_size(json_object_get(iso, "zones")) == 0)
		html_text(h, "なし");
	else
		json_array_foreach(json_object_get(iso, "zones"), i, v) {
			html_elem(h, "span", "alarm", js(v, "zone"));
			html_textf(h, " %s %s %s ", js(v, "since"),
			    js(v, "user"), js(v, "reason"));
		}
	fact_end(h);
	fact_start(h, "確認待ちの変更");
	if (!recorded(cf))
		missing(h, cf);
	else if (!json_is_object(json_object_get(cf, "pending")))
		html_text(h, "なし");
	else {
		const json_t *pd = json_object_get(cf, "pending");
		html_textf(h, "%s: ポリシー %.12s（残り %lld 秒、期限 %s）",
		    js(pd, "state"), js(pd, "policy"), ji(pd, "seconds_left"),
		    js(pd, "deadline"));
	}
	fact_end(h);
}

static void
clause_summary(struct html *h, const json_t *m)
{
	static const char *const heads[] = { "項目", "規則", "判定", NULL };
	const json_t *c, *r;
	size_t i, j;

	html_elem(h, "h3", NULL, "三層の対策の判定（規則ごと）");
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(m, "clauses"), i, c)
		json_array_foreach(json_object_get(c, "rules"), j, r) {
			html_open(h, "tr", NULL);
			html_open(h, "td", NULL);
			html_textf(h, "%s %s", js(c, "number"), js(c, "title"));
			html_close(h, "td");
			html_open(h, "td", NULL);
			html_textf(h, "%s %s", js(r, "id"), js(r, "summary"));
			html_close(h, "td");
			html_open(h, "td", NULL);
			result(h, js(r, "result"));
			if (json_array_size(json_object_get(r, "findings")))
				html_textf(h, "（%zu件）", json_array_size(
				    json_object_get(r, "findings")));
			html_close(h, "td");
			html_close(h, "tr");
		}
	table_end(h);
}

static void
overview(struct html *h, const json_t *m)
{
	const json_t *p = json_object_get(m, "policy");
	const json_t *n = json_object_get(m, "counts");
	const json_t *x = json_object_get(m, "exceptions");
	const json_t *a = json_object_get(m, "alerts");
	const json_t *e = json_object_get(m, "enforce");
	long long errors = ji(p, "errors"), warnings = ji(p, "warnings");

	section_start(h, "s1", "1. 概要", true);
	guide(h, "根拠:", "三層の対策（ネットワークの分離）、時刻同期（正確な時刻設定"
	    "及びサーバ間の時刻同期）、設定の不整合の防止");
	html_open(h, "table", "class", "facts", NULL);
	html_open(h, "tbody", NULL);
	fact_start(h, "装置");
	html_elem(h, "span", "mono", js(m, "appliance"));
	fact_end(h);
	fact(h, "作成日時", js(m, "generated_at"), NULL);
	fact(h, "取得元", json_is_true(json_object_get(m, "online")) ?
	    "稼働中の zoned とポリシーファイル" : "ポリシーファイルのみ（オフライン）",
	    NULL);
	fact_start(h, "対象期間");
	html_textf(h, "%s以降（警報・作業記録）", has(m, "since") ?
	    js(m, "since") : "記録の最初");
	fact_end(h);
	fact(h, "ポリシーファイル", js(p, "file"), "mono");
	fact(h, "SHA-256", has(p, "sha256") ? js(p, "sha256") : "-", "mono");
	if (has(p, "running_sha256")) {
		fact_start(h, "稼働中のポリシー");
		html_elem(h, "span", "mono", js(p, "running_sha256"));
		if (json_is_false(json_object_get(p, "matches_running")))
			html_elem(h, "span", "fail", "　ファイルの内容と異なる");
		else
			html_elem(h, "span", "pass", "　ファイルと同じ");
		fact_end(h);
	}
	fact(h, "ネットワークモデル", has(p, "model") ? js(p, "model_label") :
	    "-", NULL);
	fact_start(h, "三層の対策の規則");
	if (!json_is_true(json_object_get(p, "loaded")))
		html_elem(h, "span", "fail", "ファイルを読み込めない（構文エラー）");
	else if (errors > 0)
		html_elem(h, "span", "fail", "不適合");
	else
		html_elem(h, "span", warnings ? "warn" : "pass", warnings ?
		    "適合（警告あり）" : "適合");
	html_textf(h, "（エラー %lld 件、警告 %lld 件）", errors, warnings);
	fact_end(h);
	fact(h, "判定方式", has(e, "mode_label") ? js(e, "mode_label") : "-",
	    NULL);
	overview_daemon(h, m);
	fact_start(h, "定義の数");
	html_textf(h, "ゾーン %lld、ホスト %lld、サービス %lld、フロー %lld"
	    "（承認番号付き %lld）", ji(n, "zones"), ji(n, "hosts"),
	    ji(n, "services"), ji(n, "flows"), ji(n, "approvals"));
	fact_end(h);
	fact_start(h, "例外措置");
	html_textf(h, "期限切れ %lld 件、%lld 日以内に期限 %lld 件",
	    ji(x, "expired"), ji(x, "expiring_days"), ji(x, "expiring"));
	fact_end(h);
	fact_start(h, "警報");
	if (recorded(a))
		html_textf(h, "%lld 件", ji(a, "total"));
	else
		missing(h, a);
	fact_end(h);
	fact_start(h, "自己点検の項目");
	html_textf(h, "%zu 件", json_array_size(json_object_get(
	    json_object_get(m, "inspection"), "items")));
	fact_end(h);
	html_close(h, "tbody");
	html_close(h, "table");
	clause_summary(h, m);
	html_close(h, "section");
}

/* ---------------------------------------------------------------------
 * 2 ゾーン構成図
 */

static void
legend(struct html *h)
{
	static const char *const heads[] = { "線", "意味", NULL };
	static const char *const rows[][2] = {
		{ "border-top:4px solid #b3261e", "マイナンバー利用事務系の越境"
		    "通信（特定通信）: 太い赤線" },
		{ "border-top:3px dashed #1565c0", "LGWAN・インターネット間の無害化"
		    "通信（中継ホスト経由）: 青の破線" },
		{ "border-top:3px dashed #6a1b9a", "α'モデルのクラウドへの直接接続: "
		    "紫の破線" },
		{ "border-top:3px dotted #455a64", "閉域網との通信: 灰色の点線" },
		{ "border-top:2px solid #424242", "その他の通信: 細い実線" },
	};

	table_start(h, NULL, heads);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		html_open(h, "tr", NULL);
		html_open(h, "td", NULL);
		html_open(h, "span", "class", "swatch", "style", rows[i][0],
		    NULL);
		html_close(h, "span");
		html_close(h, "td");
		td(h, rows[i][1]);
		html_close(h, "tr");
	}
	table_end(h);
	para(h, NULL, "ゾーンは色の付いた枠（マイナンバー系 赤、LGWAN系 緑、"
	    "インターネット系 橙、閉域網 灰色の破線）、タブ形の箱はゾーン全体"
	    "（インタフェースとネットワーク）、六角形は無害化の中継ホスト、"
	    "立体の箱は国等の公的システム、赤枠の箱はMACアドレスで固定された"
	    "マイナンバー系ホストです。");
}

static void
zones_table(struct html *h, const json_t *m)
{
	static const char *const heads[] = { "ゾーン", "種別", "インタフェース",
		"ネットワーク", "ホスト", "緊急遮断", "通過・拒否（パケット）",
		NULL };
	const json_t *z, *v;
	size_t i, j;

	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(m, "zones"), i, z) {
		const json_t *t = json_object_get(z, "traffic");
		html_open(h, "tr", NULL);
		td_mono(h, js(z, "name"));
		td(h, js(z, "kind_label"));
		html_open(h, "td", "class", "mono", NULL);
		json_array_foreach(json_object_get(z, "interfaces"), j, v) {
			if (j)
				html_void(h, "br", NULL);
			html_text(h, js(v, "name"));
			if (has(v, "state"))
				html_textf(h, " (%s)", js(v, "state"));
		}
		html_close(h, "td");
		html_open(h, "td", "class", "mono", NULL);
		json_array_foreach(json_object_get(z, "networks"), j, v) {
			if (j)
				html_void(h, "br", NULL);
			html_text(h, json_string_value(v));
		}
		html_close(h, "td");
		tdf_num(h, (long long)json_array_size(json_object_get(z,
		    "hosts")));
		html_open(h, "td", NULL);
		if (json_is_object(json_object_get(z, "isolated")))
			html_elem(h, "span", "alarm", "遮断中");
		else
			html_text(h, "-");
		html_close(h, "td");
		html_open(h, "td", NULL);
		if (json_is_object(t))
			html_textf(h, "入 %lld / 出 %lld・拒否 入 %lld / 出 %lld",
			    ji(t, "permitted_in"), ji(t, "permitted_out"),
			    ji(t, "denied_in"), ji(t, "denied_out"));
		else
			missing(h, json_object_get(m, "daemon"));
		html_close(h, "td");
		html_close(h, "tr");
	}
	table_end(h);
}

static void
diagram(struct html *h, const json_t *m, const char *svg, const char *why)
{
	const json_t *d = json_object_get(m, "diagram");

	section_start(h, "s2", "2. ゾーン構成図", false);
	guide(h, "根拠:", "三層の対策（マイナンバー利用事務系・LGWAN接続系・"
	    "インターネット接続系の分離と、その間で許可された通信経路）");
	para(h, NULL, "ポリシーファイルの定義から、ゾーン・インタフェース・"
	    "ネットワーク・ホストと、許可されたすべての越境通信（矢印: フロー名、"
	    "サービス、通信方式）を図にしたものです（Graphviz で配置）。");
	if (json_is_true(json_object_get(d, "grouped")))
		para(h, "warn", "ホストまたはフローが多いため、ホストを省き、"
		    "ゾーンの組と通信の区分ごとに矢印を1本にまとめています"
		    "（矢印の数字はフローの数）。各フローは3章と付録の表にあります。");
	html_open(h, "div", "class", "diagram", NULL);
	if (svg != NULL)
		html_raw(h, svg, strlen(svg));
	else {
		html_open(h, "p", "class", "none", NULL);
		html_textf(h, "図を作成できませんでした: %s", why ? why :
		    "ポリシーが読み込めません");
		html_close(h, "p");
	}
	html_close(h, "div");
	legend(h);
	html_elem(h, "h3", NULL, "ゾーンの一覧");
	zones_table(h, m);
	html_close(h, "section");
}

/* ---------------------------------------------------------------------
 * 3 the clauses
 */

static const json_t *
find_named(const json_t *arr, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (strcmp(js(v, "name"), name) == 0)
			return v;
	return NULL;
}

static void
findings_list(struct html *h, const json_t *m, const json_t *idx)
{
	const json_t *all = json_object_get(m, "findings"), *v;
	size_t i;

	if (json_array_size(idx) == 0) {
		html_text(h, "指摘なし");
		return;
	}
	html_open(h, "ul", NULL);
	json_array_foreach(idx, i, v) {
		const json_t *f = json_array_get(all,
		    (size_t)json_integer_value(v));
		html_open(h, "li", NULL);
		html_open(h, "span", "class", "mono", NULL);
		html_textf(h, "%s:%lld", js(f, "file"), ji(f, "line"));
		html_close(h, "span");
		html_textf(h, " %s %s %s", js(f, "severity"), js(f, "object"),
		    js(f, "message"));
		html_close(h, "li");
	}
	html_close(h, "ul");
}

static void
rules_table(struct html *h, const json_t *m, const json_t *c)
{
	static const char *const heads[] = { "規則", "内容", "判定", "指摘",
		NULL };
	const json_t *r;
	size_t i;

	html_elem(h, "h3", NULL, "この項目を担保する規則と判定");
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(c, "rules"), i, r) {
		html_open(h, "tr", NULL);
		td_mono(h, js(r, "id"));
		td(h, js(r, "summary"));
		html_open(h, "td", NULL);
		result(h, js(r, "result"));
		html_close(h, "td");
		html_open(h, "td", NULL);
		findings_list(h, m, json_object_get(r, "findings"));
		html_close(h, "td");
		html_close(h, "tr");
	}
	table_end(h);
}

/* An end of a crossing in one cell: its name, address and MAC (or its
 * zone). */
static void
end_cell(struct html *h, const json_t *hosts, const json_t *f,
    const char *which, bool with_mac)
{
	char k[16];
	const char *name, *type, *zone;
	const json_t *ho;

	snprintf(k, sizeof(k), "%s_type", which);
	type = js(f, k);
	snprintf(k, sizeof(k), "%s_zone", which);
	zone = js(f, k);
	name = js(f, which);
	ho = strcmp(type, "host") == 0 ? find_named(hosts, name) : NULL;
	html_open(h, "td", "class", "mono", NULL);
	html_text(h, name);
	if (strcmp(type, "zone") == 0)
		html_text(h, "（ゾーン全体）");
	if (ho) {
		html_void(h, "br", NULL);
		html_text(h, js(ho, "address"));
	}
	if (with_mac) {
		html_void(h, "br", NULL);
		html_textf(h, "MAC %s", ho && has(ho, "mac") ? js(ho, "mac") :
		    "なし");
	} else {
		html_void(h, "br", NULL);
		html_textf(h, "(%s)", zone);
	}
	html_close(h, "td");
}

static void
approval_cell(struct html *h, const json_t *f)
{
	if (has(f, "approval"))
		td_mono(h, js(f, "approval"));
	else
		html_elem(h, "td", "fail", "なし");
}

static void
mynumber_table(struct html *h, const json_t *m, const json_t *c)
{
	static const char *const heads[] = { "フロー",
		"マイナンバー側（ホスト・アドレス・MAC）", "向き",
		"相手（ホスト・アドレス・ゾーン）", "プロトコル・ポート", "方式",
		"承認番号", "利用状況", NULL };
	const json_t *flows = json_object_get(m, "flows");
	const json_t *hosts = json_object_get(m, "hosts");
	const json_t *zones = json_object_get(m, "zones"), *v;
	size_t i;

	html_elem(h, "h3", NULL, "マイナンバー利用事務系の越境通信（すべて）");
	if (json_array_size(json_object_get(c, "flows")) == 0) {
		para(h, NULL, "マイナンバー利用事務系の越境通信はありません"
		    "（他のゾーンとの通信はすべて拒否されます）。");
		return;
	}
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(c, "flows"), i, v) {
		const json_t *f = json_array_get(flows,
		    (size_t)json_integer_value(v));
		const json_t *fz = find_named(zones, js(f, "from_zone"));
		bool out = strcmp(js(fz, "kind"), "mynumber") == 0;
		html_open(h, "tr", NULL);
		td_mono(h, js(f, "name"));
		end_cell(h, hosts, f, out ? "from" : "to", true);
		td(h, out ? "送信（マイナンバー系から）" : "受信（マイナンバー系へ）");
		end_cell(h, hosts, f, out ? "to" : "from", false);
		td_mono(h, js(f, "service_text"));
		td(h, js(f, "method_label"));
		approval_cell(h, f);
		usage_cell(h, f);
		html_close(h, "tr");
	}
	table_end(h);
}

/* The host that performs a sanitising method: the end with a role. */
static const char *
relay_of(const json_t *hosts, const json_t *f)
{
	const char *ends[2][2] = { { js(f, "from"), js(f, "from_type") },
		{ js(f, "to"), js(f, "to_type") } };

	for (int k = 0; k < 2; k++) {
		const json_t *ho;
		if (strcmp(ends[k][1], "host") == 0 &&
		    (ho = find_named(hosts, ends[k][0])) != NULL &&
		    has(ho, "role") && strcmp(js(ho, "role"),
		    "public-system") != 0)
			return ends[k][0];
	}
	return NULL;
}

static void
crossing_table(struct html *h, const json_t *m, const json_t *c,
    bool relay)
{
	static const char *const heads_relay[] = { "フロー", "送信元", "送信元ゾーン",
		"宛先", "宛先ゾーン", "サービス", "無害化方式", "実施ホスト",
		"承認番号", "利用状況", NULL };
	static const char *const heads[] = { "フロー", "送信元", "送信元ゾーン",
		"宛先", "宛先ゾーン", "サービス", "方式", "承認番号", "利用状況",
		NULL };
	const json_t *flows = json_object_get(m, "flows");
	const json_t *hosts = json_object_get(m, "hosts"), *v;
	size_t i;

	table_start(h, NULL, relay ? heads_relay : heads);
	json_array_foreach(json_object_get(c, "flows"), i, v) {
		const json_t *f = json_array_get(flows,
		    (size_t)json_integer_value(v));
		html_open(h, "tr", NULL);
		td_mono(h, js(f, "name"));
		td_mono(h, js(f, "from"));
		td_mono(h, js(f, "from_zone"));
		td_mono(h, js(f, "to"));
		td_mono(h, js(f, "to_zone"));
		td_mono(h, js(f, "service_text"));
		td(h, js(f, "method_label"));
		if (relay) {
			const char *r = relay_of(hosts, f);
			if (r)
				td_mono(h, r);
			else
				html_elem(h, "td", strcmp(js(f, "method"),
				    "cloud-lbo") ? "fail" : NULL,
				    strcmp(js(f, "method"), "cloud-lbo") ?
				    "なし" : "（中継なし: クラウド直接接続）");
		}
		approval_cell(h, f);
		usage_cell(h, f);
		html_close(h, "tr");
	}
	table_end(h);
}

static void
monitor_settings(struct html *h, const json_t *m)
{
	const json_t *mo = json_object_get(m, "monitor");
	const json_t *e = json_object_get(m, "enforce");

	html_elem(h, "h3", NULL, "監視の設定");
	if (!json_is_object(mo)) {
		para(h, "none", "ポリシーが読み込めないため不明です。");
		return;
	}
	html_open(h, "table", "class", "facts", NULL);
	html_open(h, "tbody", NULL);
	fact(h, "監視機能", json_is_true(json_object_get(mo, "enabled")) ?
	    "有効（各ゾーンのインタフェースを監視）" : "無効", NULL);
	fact(h, "判定方式", js(e, "mode_label"), NULL);
	fact_start(h, "ふるまい検知の閾値");
	html_textf(h, "%lld 秒間に 1 ホストへ %lld ポート（ポートスキャン）、"
	    "%lld ホスト（アドレススキャン）、1 送信元から毎秒 %lld パケット"
	    "（フラッド）", ji(mo, "scan_window"), ji(mo, "scan_ports"),
	    ji(mo, "scan_hosts"), ji(mo, "flood_pps"));
	fact_end(h);
	fact_start(h, "証拠ファイル");
	html_elem(h, "span", "mono", js(mo, "evidence_dir"));
	html_textf(h, "（上限 %lld MB、各パケット先頭 %lld バイト）",
	    ji(mo, "evidence_max") >> 20, ji(mo, "snaplen"));
	fact_end(h);
	html_close(h, "tbody");
	html_close(h, "table");
}

static void
monitor_live(struct html *h, const json_t *m)
{
	static const char *const heads[] = { "インタフェース", "ゾーン", "状態",
		"フレーム", "越境", "違反", "取りこぼし", NULL };
	const json_t *l = json_object_get(json_object_get(m, "monitor"),
	    "live"), *v;
	size_t i;

	html_elem(h, "h3", NULL, "監視中のインタフェース");
	if (!recorded(l)) {
		missing(h, l);
		return;
	}
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(l, "interfaces"), i, v) {
		html_open(h, "tr", NULL);
		td_mono(h, js(v, "name"));
		td_mono(h, js(v, "zone"));
		html_elem(h, "td", json_is_true(json_object_get(v, "attached")) ?
		    "pass" : "fail", json_is_true(json_object_get(v,
		    "attached")) ? "監視中" : "監視していない");
		tdf_num(h, ji(v, "frames_in") + ji(v, "frames_out"));
		tdf_num(h, ji(v, "crossings"));
		tdf_num(h, ji(v, "violating"));
		tdf_num(h, ji(v, "kernel_drops") + ji(v, "interface_drops"));
		html_close(h, "tr");
	}
	table_end(h);
}

/* An alert's own facts (addresses, interface...) in one line. */
static void
alert_details(struct html *h, const json_t *a)
{
	static const char *const skip[] = { "id", "kind", "time", "label",
		"evidence", "evidence_sha256", "evidence_frames", NULL };
	const char *k;
	json_t *v;
	bool first = true;

	json_object_foreach((json_t *)a, k, v) {
		bool s = false;
		for (int i = 0; skip[i]; i++)
			s |= strcmp(skip[i], k) == 0;
		if (s || !(json_is_string(v) || json_is_integer(v)))
			continue;
		if (json_is_string(v))
			html_textf(h, "%s%s=%s", first ? "" : " ", k,
			    json_string_value(v));
		else
			html_textf(h, "%s%s=%lld", first ? "" : " ", k,
			    (long long)json_integer_value(v));
		first = false;
	}
}

static void
alerts(struct html *h, const json_t *m)
{
	static const char *const kheads[] = { "種類", "内容", "件数", NULL };
	static const char *const heads[] = { "番号", "時刻", "種類", "詳細",
		"証拠ファイル", "SHA-256", NULL };
	const json_t *a = json_object_get(m, "alerts"), *v;
	size_t i;

	html_elem(h, "h3", NULL, "警報（種類別）と証拠");
	if (!recorded(a)) {
		missing(h, a);
		return;
	}
	if (ji(a, "total") == 0) {
		para(h, "pass", "対象期間に警報はありません。");
		return;
	}
	table_start(h, NULL, kheads);
	json_array_foreach(json_object_get(a, "kinds"), i, v) {
		html_open(h, "tr", NULL);
		td_mono(h, js(v, "kind"));
		td(h, js(v, "label"));
		tdf_num(h, ji(v, "count"));
		html_close(h, "tr");
	}
	table_end(h);
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(a, "list"), i, v) {
		html_open(h, "tr", NULL);
		tdf_num(h, ji(v, "id"));
		td_mono(h, js(v, "time"));
		td(h, js(v, "label"));
		html_open(h, "td", "class", "mono", NULL);
		alert_details(h, v);
		html_close(h, "td");
		td_mono(h, has(v, "evidence") ? js(v, "evidence") :
		    "（記録中または保存なし）");
		td_mono(h, has(v, "evidence_sha256") ? js(v,
		    "evidence_sha256") : "-");
		html_close(h, "tr");
	}
	table_end(h);
}

static void
integrity(struct html *h, const json_t *m)
{
	static const char *const heads[] = { "管理アクセス元", "ゾーン",
		"サービス", "行", NULL };
	const json_t *k = json_object_get(m, "kernel"), *v;
	size_t i;

	html_elem(h, "h3", NULL, "カーネルのルールセットとポリシーの照合");
	if (!recorded(k))
		missing(h, k);
	else if (json_is_true(json_object_get(k, "match")))
		para(h, "pass", "カーネルの table inet zoned はポリシーから生成した"
		    "ものと一致しています。");
	else {
		html_open(h, "p", "class", "fail", NULL);
		html_textf(h, "不一致: 差分 %lld 件（- ポリシー、+ カーネル）",
		    ji(k, "differences"));
		html_close(h, "p");
		html_open(h, "ul", "class", "mono", NULL);
		json_array_foreach(json_object_get(k, "lines"), i, v)
			html_elem(h, "li", NULL, json_string_value(v));
		html_close(h, "ul");
	}
	html_elem(h, "h3", NULL, "装置への管理アクセス");
	if (json_array_size(json_object_get(m, "management")) == 0) {
		para(h, NULL, "管理アクセスの定義はありません（装置への通信は"
		    "すべて拒否されます）。");
		return;
	}
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(m, "management"), i, v) {
		html_open(h, "tr", NULL);
		td_mono(h, js(v, "from"));
		td_mono(h, js(v, "zone"));
		td_mono(h, js(v, "service"));
		tdf_num(h, ji(v, "line"));
		html_close(h, "tr");
	}
	table_end(h);
}

static void
clause(struct html *h, const json_t *m, const json_t *c)
{
	const char *id = js(c, "id");
	char sid[48], title[256];

	snprintf(sid, sizeof(sid), "s3-%s", id);
	snprintf(title, sizeof(title), "%s %s", js(c, "number"),
	    js(c, "title"));
	section_start(h, sid, title, false);
	guide(h, "ガイドライン（要旨）:", js(c, "guideline"));
	html_open(h, "p", NULL);
	html_elem(h, "strong", NULL, "zoned の対策: ");
	html_text(h, js(c, "how"));
	html_close(h, "p");
	rules_table(h, m, c);
	if (strcmp(id, "mynumber") == 0)
		mynumber_table(h, m, c);
	else if (strcmp(id, "lgwan-internet") == 0 || strcmp(id,
	    "closed") == 0) {
		bool relay = strcmp(id, "lgwan-internet") == 0;
		html_elem(h, "h3", NULL, relay ? "LGWAN接続系とインターネット接続系"
		    "の間の通信（すべて）" : "閉域網との通信（すべて）");
		if (json_array_size(json_object_get(c, "flows")) == 0)
			para(h, NULL, relay ? "LGWAN接続系とインターネット接続系の"
			    "間で許可された通信はありません。" : "閉域網との"
			    "通信はありません。");
		else
			crossing_table(h, m, c, relay);
	} else if (strcmp(id, "monitoring") == 0) {
		monitor_settings(h, m);
		monitor_live(h, m);
		alerts(h, m);
	} else
		integrity(h, m);
	html_close(h, "section");
}

/* ---------------------------------------------------------------------
 * 4 例外措置台帳, 5 作業記録, 6 自己点検, 付録
 */

static void
ledger(struct html *h, const json_t *m)
{
	static const char *const heads[] = { "承認番号", "フロー", "経路",
		"サービス", "備考", "有効期限", "残り日数", "状態", NULL };
	const json_t *x = json_object_get(m, "exceptions"), *e;
	const json_t *flows = json_object_get(m, "flows");
	size_t i;

	section_start(h, "s4", "4. 例外措置台帳", false);
	guide(h, "根拠:", "例外措置（例外措置を講じた場合は記録し、申請書及び"
	    "審査結果を保管し、定期的に申請状況を確認する）");
	html_open(h, "p", NULL);
	html_textf(h, "承認番号または有効期限のあるすべてのフローです。期限切れは"
	    "赤、%lld 日以内に期限を迎えるものは黄色で示します。期限を過ぎた"
	    "フローは装置が自動的に止めます。", ji(x, "expiring_days"));
	html_close(h, "p");
	if (json_array_size(json_object_get(x, "entries")) == 0) {
		para(h, NULL, "該当するフローはありません。");
		html_close(h, "section");
		return;
	}
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(x, "entries"), i, e) {
		const char *st = js(e, "status");
		const json_t *f = json_array_get(flows, (size_t)ji(e, "index"));
		long long d = ji(e, "days_left");
		html_open(h, "tr", "class", strcmp(st, "expired") == 0 ?
		    "expired" : strcmp(st, "expiring") == 0 ? "expiring" : NULL,
		    NULL);
		td_mono(h, has(e, "approval") ? js(e, "approval") : "（なし）");
		td_mono(h, js(e, "flow"));
		html_open(h, "td", "class", "mono", NULL);
		html_textf(h, "%s → %s", js(f, "from"), js(f, "to"));
		html_close(h, "td");
		td_mono(h, js(f, "service_text"));
		td(h, js(e, "comment"));
		td_mono(h, has(e, "expires") ? js(e, "expires") : "期限なし");
		html_open(h, "td", NULL);
		if (has(e, "expires"))
			html_textf(h, "%lld", d);
		else
			html_text(h, "-");
		html_close(h, "td");
		html_open(h, "td", NULL);
		if (strcmp(st, "expired") == 0)
			html_elem(h, "span", "fail", "期限切れ");
		else if (strcmp(st, "expiring") == 0)
			html_elem(h, "span", "warn", "まもなく期限");
		else
			html_text(h, strcmp(st, "valid") == 0 ? "有効" :
			    "有効（期限なし）");
		html_close(h, "td");
		html_close(h, "tr");
	}
	table_end(h);
	html_close(h, "section");
}

static void
journal_entries(struct html *h, const json_t *j)
{
	static const char *const heads[] = { "番号", "時刻", "操作者", "操作",
		"ポリシー（前→後）", "内容", NULL };
	const json_t *e;
	size_t i;

	if (json_array_size(json_object_get(j, "entries")) == 0) {
		para(h, NULL, "対象期間に記録はありません。");
		return;
	}
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(j, "entries"), i, e) {
		const json_t *fl = json_object_get(e, "flows");
		html_open(h, "tr", NULL);
		tdf_num(h, ji(e, "seq"));
		td_mono(h, js(e, "time"));
		html_open(h, "td", "class", "mono", NULL);
		if (json_is_integer(json_object_get(e, "uid")))
			html_textf(h, "%s (uid %lld)", js(e, "user"),
			    ji(e, "uid"));
		else
			html_text(h, "zoned");
		html_close(h, "td");
		td(h, report_action_label(js(e, "action")));
		html_open(h, "td", "class", "mono", NULL);
		html_textf(h, "%.12s → %.12s", has(e, "policy_before") ?
		    js(e, "policy_before") : "-", has(e, "policy_after") ?
		    js(e, "policy_after") : "-");
		html_close(h, "td");
		html_open(h, "td", NULL);
		if (json_is_object(fl))
			html_textf(h, "フロー 追加 %zu・削除 %zu・変更 %zu ",
			    json_array_size(json_object_get(fl, "added")),
			    json_array_size(json_object_get(fl, "removed")),
			    json_array_size(json_object_get(fl, "changed")));
		if (has(e, "zone"))
			html_textf(h, "ゾーン %s ", js(e, "zone"));
		if (has(e, "reason"))
			html_textf(h, "理由: %s", js(e, "reason"));
		html_close(h, "td");
		html_close(h, "tr");
	}
	table_end(h);
}

static void
journal(struct html *h, const json_t *m)
{
	const json_t *j = json_object_get(m, "journal");

	section_start(h, "s5", "5. 作業記録", false);
	guide(h, "根拠:", "作業記録（システム変更等の作業を行った場合は作業記録を"
	    "作成し、詐取、改ざん等をされないように適切に管理する）");
	para(h, NULL, "装置が適用するものへの変更（ポリシーの適用・拒否・取り消し、"
	    "期限切れ、不整合の検知と修復、緊急遮断と解除）は、1件ずつ前の記録の"
	    "ハッシュを含めて連鎖させた変更記録（journal）に残ります。連鎖を検証"
	    "すれば、記録の改変・削除・入れ替えを検出できます。");
	if (!recorded(j)) {
		html_open(h, "p", NULL);
		html_text(h, "変更記録: ");
		missing(h, j);
		html_close(h, "p");
		html_close(h, "section");
		return;
	}
	html_open(h, "p", NULL);
	html_text(h, "記録ファイル ");
	html_elem(h, "span", "mono", js(j, "file"));
	html_textf(h, "（全 %lld 件）　連鎖の検証: ", ji(j, "total"));
	if (json_is_true(json_object_get(j, "intact")))
		html_elem(h, "span", "pass", "改ざんなし（連鎖は完全）");
	else {
		html_elem(h, "span", "alarm", "改ざんの疑い");
		html_textf(h, " 最初の不正な記録: %lld 行目", ji(j,
		    "first_bad_line"));
		if (ji(j, "first_bad_seq") > 0)
			html_textf(h, "（番号 %lld）", ji(j, "first_bad_seq"));
		html_textf(h, " — %s", js(j, "message"));
	}
	html_close(h, "p");
	if (ji(j, "last_seq") > 0) {
		html_open(h, "p", NULL);
		html_textf(h, "連鎖の検証できた最後の記録: 番号 %lld、ハッシュ ",
		    ji(j, "last_seq"));
		html_elem(h, "span", "mono", js(j, "last_hash"));
		html_text(h, "（各記録はハッシュとともに syslog にも送られています。"
		    "装置外の写しと照合すれば、末尾の記録の削除も検出できます）");
		html_close(h, "p");
	}
	journal_entries(h, j);
	html_close(h, "section");
}

static const char *
severity_label(const char *s)
{
	return strcmp(s, "error") == 0 ? "要対応" : strcmp(s, "warning") ==
	    0 ? "要確認" : "参考";
}

static void
inspection(struct html *h, const json_t *m)
{
	static const char *const heads[] = { "番号", "区分", "対象", "内容",
		"対処", NULL };
	static const char *const uheads[] = { "フロー", "承認番号", "最終利用",
		NULL };
	const json_t *in = json_object_get(m, "inspection");
	const json_t *u = json_object_get(in, "unused"), *v;
	size_t i;

	section_start(h, "s6", "6. 自己点検", false);
	guide(h, "根拠:", "自己点検（情報セキュリティ対策の実施状況について、"
	    "毎年度及び必要に応じて自己点検を実施する）");
	html_open(h, "h3", NULL);
	html_textf(h, "%lld 日以上使われていない許可", ji(m, "unused_days"));
	html_close(h, "h3");
	if (!recorded(u)) {
		html_open(h, "p", NULL);
		html_text(h, "フローの利用実績（初回・最終利用）: ");
		missing(h, u);
		html_close(h, "p");
	} else if (json_array_size(json_object_get(u, "flows")) == 0)
		para(h, "pass", "該当するフローはありません。");
	else {
		table_start(h, NULL, uheads);
		json_array_foreach(json_object_get(u, "flows"), i, v) {
			html_open(h, "tr", NULL);
			td_mono(h, js(v, "flow"));
			td_mono(h, has(v, "approval") ? js(v, "approval") : "-");
			td_mono(h, has(v, "last_hit") ? js(v, "last_hit") :
			    "一度もなし");
			html_close(h, "tr");
		}
		table_end(h);
	}
	html_elem(h, "h3", NULL, "点検項目と対処");
	if (json_array_size(json_object_get(in, "items")) == 0) {
		para(h, "pass", "対処を要する項目はありません。");
		html_close(h, "section");
		return;
	}
	table_start(h, NULL, heads);
	json_array_foreach(json_object_get(in, "items"), i, v) {
		const char *sev = js(v, "severity");
		html_open(h, "tr", NULL);
		tdf_num(h, (long long)i + 1);
		html_elem(h, "td", strcmp(sev, "error") == 0 ? "fail" :
		    strcmp(sev, "warning") == 0 ? "warn" : "info",
		    severity_label(sev));
		td_mono(h, js(v, "object"));
		td(h, js(v, "text"));
		td(h, js(v, "todo"));
		html_close(h, "tr");
	}
	table_end(h);
	html_close(h, "section");
}

/* A column of a plain table: the member shown, its heading, the cell's
 * class. */
struct column {
	const char *key, *head, *cls;
};

/* One row a member of arr, one cell a column (strings and numbers). */
static void
plain_table(struct html *h, const char *title, const json_t *arr,
    const struct column *cols)
{
	const char *heads[12];
	const json_t *v, *c;
	size_t i, n = 0;

	for (; cols[n].key && n + 1 < sizeof(heads) / sizeof(heads[0]); n++)
		heads[n] = cols[n].head;
	heads[n] = NULL;
	html_elem(h, "h3", NULL, title);
	table_start(h, NULL, heads);
	json_array_foreach(arr, i, v) {
		html_open(h, "tr", NULL);
		for (size_t k = 0; k < n; k++) {
			c = json_object_get(v, cols[k].key);
			html_open(h, "td", "class", cols[k].cls, NULL);
			if (json_is_integer(c))
				html_textf(h, "%lld", (long long)
				    json_integer_value(c));
			else
				html_text(h, json_string_value(c));
			html_close(h, "td");
		}
		html_close(h, "tr");
	}
	table_end(h);
}

static void
appendix(struct html *h, const json_t *m)
{
	static const struct column hosts[] = { { "name", "ホスト", "mono" },
		{ "zone", "ゾーン", "mono" }, { "address", "アドレス", "mono" },
		{ "mac", "MAC", "mono" }, { "role_label", "役割", NULL },
		{ "comment", "備考", NULL }, { "line", "行", NULL },
		{ NULL, NULL, NULL } };
	static const struct column services[] = { { "name", "サービス", "mono" },
		{ "text", "プロトコル・ポート", "mono" },
		{ "comment", "備考", NULL }, { "line", "行", NULL },
		{ NULL, NULL, NULL } };
	static const struct column flows[] = { { "name", "フロー", "mono" },
		{ "from", "送信元", "mono" }, { "to", "宛先", "mono" },
		{ "service_text", "サービス", "mono" },
		{ "method_label", "方式", NULL },
		{ "approval", "承認番号", "mono" },
		{ "expires", "有効期限", "mono" }, { "comment", "備考", NULL },
		{ "line", "行", NULL }, { NULL, NULL, NULL } };
	static const struct column findings[] = { { "file", "ファイル", "mono" },
		{ "line", "行", NULL }, { "severity", "重大度", NULL },
		{ "id", "規則", "mono" }, { "object", "対象", "mono" },
		{ "message", "内容", NULL }, { NULL, NULL, NULL } };

	section_start(h, "s7", "付録 ポリシーの全定義と指摘", false);
	plain_table(h, "ホスト", json_object_get(m, "hosts"), hosts);
	plain_table(h, "サービス", json_object_get(m, "services"), services);
	plain_table(h, "フロー（ファイルの順）", json_object_get(m, "flows"),
	    flows);
	if (json_array_size(json_object_get(m, "findings")) == 0) {
		html_elem(h, "h3", NULL, "ポリシーファイルへの指摘（すべて）");
		para(h, "pass", "指摘はありません。");
	} else
		plain_table(h, "ポリシーファイルへの指摘（すべて）",
		    json_object_get(m, "findings"), findings);
	html_close(h, "section");
}

char *
report_html(const json_t *m, const char *svg, const char *svg_why,
    size_t *len, char *err, size_t errlen)
{
	struct html h;
	const json_t *c;
	size_t i;

	html_init(&h);
	html_raw(&h, "<!DOCTYPE html>\n", 16);
	html_open(&h, "html", "lang", "ja", "xmlns",
	    "http://www.w3.org/1999/xhtml", NULL);
	html_open(&h, "head", NULL);
	html_void(&h, "meta", "charset", "utf-8", NULL);
	html_void(&h, "meta", "name", "generator", "content", "zonectl report",
	    NULL);
	html_open(&h, "title", NULL);
	html_textf(&h, "三層の対策 監査報告書 %s %s", js(m, "appliance"),
	    js(m, "generated_at"));
	html_close(&h, "title");
	html_open(&h, "style", NULL);
	html_raw(&h, report_css, sizeof(report_css) - 1);
	html_close(&h, "style");
	html_close(&h, "head");
	html_open(&h, "body", NULL);
	html_open(&h, "header", NULL);
	cover(&h, m);
	html_close(&h, "header");
	overview(&h, m);
	diagram(&h, m, svg, svg_why);
	json_array_foreach(json_object_get(m, "clauses"), i, c)
		clause(&h, m, c);
	ledger(&h, m);
	journal(&h, m);
	inspection(&h, m);
	appendix(&h, m);
	html_open(&h, "footer", NULL);
	html_textf(&h, "zonectl report（%s 形式 第%lld版）%s", js(m, "format"),
	    ji(m, "version"), js(m, "generated_at"));
	html_close(&h, "footer");
	html_close(&h, "body");
	html_close(&h, "html");
	html_raw(&h, "\n", 1);
	return html_finish(&h, len, err, errlen);
}
