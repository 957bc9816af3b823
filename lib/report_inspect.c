/*
 * report_inspect — the self-inspection list (自己点検) of the report: from
 * the rest of the model, every point that asks for an operator's action,
 * each with what to do.  Flows unused for N days (where the daemon keeps
 * flow usage), duplicated or shadowed flows (ZL009), other warnings,
 * expired and expiring exceptions, drift, the clock, a broken journal,
 * isolated zones, a daemon that is not enforcing its policy.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "report.h"
#include "report_impl.h"

static bool
has_state(const json_t *o, const char *st)
{
	return strcmp(js(o, "state"), st) == 0;
}

static void
item(json_t *items, const char *kind, const char *severity,
    const char *object, const char *text, const char *todo)
{
	json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o, s:s}",
	    "kind", kind, "severity", severity, "object", report_text(object),
	    "text", report_text(text), "todo", todo));
}

/* What to do about a warning, by its rule. */
static const char *
warning_todo(const char *id)
{
	if (strcmp(id, "ZL009") == 0)
		return "重複・包含されたフローを1つにまとめ、承認番号の対応を"
		    "整理してください（先に書かれたフローが優先されます）。";
	if (strcmp(id, "ZL012") == 0)
		return "無害化装置が本当にそのポートで動作しているか確認し、"
		    "意図したものであれば理由を記録してください。";
	if (strcmp(id, "ZL014") == 0)
		return "期限切れのフローをポリシーファイルから削除するか、"
		    "再承認を得て期限を更新してください。";
	return "指摘の内容を確認し、意図したものであれば理由を記録してください。";
}

static void
findings(json_t *items, const json_t *m)
{
	const json_t *f;
	size_t i;
	int errors = (int)json_integer_value(json_object_get(json_object_get(
	    m, "policy"), "errors"));
	char text[256];

	if (errors > 0) {
		snprintf(text, sizeof(text), "ポリシーファイルに%d件のエラーが"
		    "あり、このファイルは適用できません。", errors);
		item(items, "policy-error", "error", js(json_object_get(m,
		    "policy"), "file"), text, "3章と付録の指摘を見て修正し、"
		    "zonectl lint で確認してから適用してください。");
	}
	json_array_foreach(json_object_get(m, "findings"), i, f) {
		const char *id = js(f, "id");
		char obj[512];
		if (strcmp(js(f, "severity"), "warning") != 0 ||
		    strcmp(id, "ZL014") == 0)	/* in the ledger's items */
			continue;
		snprintf(obj, sizeof(obj), "%s:%lld %s", js(f, "file"),
		    (long long)json_integer_value(json_object_get(f, "line")),
		    js(f, "object"));
		snprintf(text, sizeof(text), "%s: %s", id, js(f, "message"));
		item(items, strcmp(id, "ZL009") == 0 ? "duplicate" : "warning",
		    "warning", obj, text, warning_todo(id));
	}
}

static void
exceptions(json_t *items, const json_t *m)
{
	const json_t *e;
	size_t i;
	char obj[256], text[256];

	json_array_foreach(json_object_get(json_object_get(m, "exceptions"),
	    "entries"), i, e) {
		const char *st = js(e, "status");
		long long d = json_integer_value(json_object_get(e,
		    "days_left"));
		snprintf(obj, sizeof(obj), "flow \"%s\" (%s)", js(e, "flow"),
		    json_is_string(json_object_get(e, "approval")) ?
		    js(e, "approval") : "承認番号なし");
		if (strcmp(st, "expired") == 0) {
			snprintf(text, sizeof(text), "例外措置の期限（%s）を過ぎて"
			    "います（%lld日経過）。通信は既に止まっています。",
			    js(e, "expires"), -d);
			item(items, "expired", "warning", obj, text,
			    "ポリシーファイルから削除するか、再承認を得て期限を"
			    "更新してください。");
		} else if (strcmp(st, "expiring") == 0) {
			snprintf(text, sizeof(text), "例外措置の期限（%s）まで"
			    "あと%lld日です。", js(e, "expires"), d);
			item(items, "expiring", "warning", obj, text,
			    "継続の要否を所管課に確認し、必要なら期限前に再承認を"
			    "申請してください。");
		}
	}
}

static bool
older(const char *when, time_t limit)
{
	time_t t;

	return conf_parse_time(when, &t) == 0 && t < limit;
}

/* Flows without a hit for the given days, where the daemon keeps flow
 * usage. */
static void
unused(json_t *items, json_t *m, const struct report_input *in)
{
	const json_t *f, *u;
	json_t *list = json_array(), *block;
	time_t limit = in->now - (time_t)in->unused_days * 86400;
	const char *st = "recorded";
	size_t i;
	char obj[256], text[256];

	json_array_foreach(json_object_get(m, "flows"), i, f) {
		u = json_object_get(f, "usage");
		if (!has_state(u, "recorded")) {
			st = js(u, "state");
			continue;
		}
		const json_t *last = json_object_get(u, "last_hit");
		if (json_is_string(last) ? !older(json_string_value(last),
		    limit) : (json_is_string(json_object_get(u,
		    "counted_since")) && !older(js(u, "counted_since"), limit)))
			continue;
		json_array_append_new(list, json_pack("{s:s, s:O, s:O, s:O}",
		    "flow", js(f, "name"), "approval", json_object_get(f,
		    "approval"), "last_hit", last ? last : json_null(),
		    "counted_since", json_object_get(u, "counted_since") ?:
		    json_null()));
		snprintf(obj, sizeof(obj), "flow \"%s\"", js(f, "name"));
		if (json_is_string(last))
			snprintf(text, sizeof(text), "%d日以上使われていません"
			    "（最終利用 %s）。", in->unused_days,
			    json_string_value(last));
		else
			snprintf(text, sizeof(text), "一度も使われていません"
			    "（%d日以上）。", in->unused_days);
		item(items, "unused", "warning", obj, text, "業務上の必要性を"
		    "所管課に確認し、不要であれば削除してください（承認の取り下げ"
		    "も記録してください）。");
	}
	if (json_array_size(json_object_get(m, "flows")) == 0 && !in->live)
		st = "offline";
	block = json_pack("{s:s, s:i, s:o}", "state", st, "days",
	    in->unused_days, "flows", list);
	json_object_set_new(json_object_get(m, "inspection"), "unused", block);
}

static void
daemon_points(json_t *items, const json_t *m)
{
	const json_t *k = json_object_get(m, "kernel");
	const json_t *c = json_object_get(m, "clock");
	const json_t *d = json_object_get(m, "daemon");
	const json_t *j = json_object_get(m, "journal");
	const json_t *p = json_object_get(m, "policy");
	const json_t *a = json_object_get(m, "alerts");
	const json_t *v;
	size_t i;
	char text[512];

	if (has_state(d, "recorded") && strcmp(js(d, "mode"), "enforcing")) {
		snprintf(text, sizeof(text), "装置の状態: %s。%s", js(d,
		    "mode_label"), js(d, "fail_reason"));
		item(items, "mode", "error", "zoned", text, "zoned のログで"
		    "理由を確認し、正しいポリシーを zonectl reload で適用して"
		    "ください。");
	}
	if (json_is_false(json_object_get(p, "matches_running"))) {
		snprintf(text, sizeof(text), "稼働中のポリシー（SHA-256 %s）は"
		    "ポリシーファイルの現在の内容と異なります。",
		    js(p, "running_sha256"));
		item(items, "file-changed", "warning", js(p, "file"), text,
		    "変更が承認済みか確認し、zonectl lint の後に zonectl reload "
		    "で適用するか、ファイルを元に戻してください。");
	}
	if (has_state(k, "recorded") && json_is_false(json_object_get(k,
	    "match"))) {
		snprintf(text, sizeof(text), "カーネルのルールセットがポリシーと"
		    "一致しません（%lld件の差分）。", (long long)
		    json_integer_value(json_object_get(k, "differences")));
		item(items, "drift", "error", "table inet zoned", text,
		    "zonectl verify で差分を確認し、zonectl reload で復元した上で、"
		    "誰がなぜ変更したかを調査してください。");
	}
	if (has_state(c, "recorded") && !json_is_true(json_object_get(c,
	    "synchronised"))) {
		snprintf(text, sizeof(text), "システムの時刻が同期されていません"
		    "%s%s%s。", json_is_string(json_object_get(c, "why")) ?
		    "（" : "", js(c, "why"), json_is_string(json_object_get(c,
		    "why")) ? "）" : "");
		item(items, "clock", "error", "clock", text, "NTP などで時刻を"
		    "同期してください。証拠ファイル・警報・作業記録の時刻の信頼性"
		    "に関わります。");
	}
	if (has_state(j, "recorded") && json_is_false(json_object_get(j,
	    "intact"))) {
		snprintf(text, sizeof(text), "作業記録に改ざんの疑いがあります: "
		    "%s", js(j, "message"));
		item(items, "journal", "error", js(j, "file"), text, "syslog "
		    "に送られた各記録のハッシュと照合し、CISO に報告してください。");
	}
	json_array_foreach(json_object_get(j, "entries"), i, v)
		if (strcmp(js(v, "action"), "drift") == 0) {
			char obj[64];
			snprintf(obj, sizeof(obj), "journal #%lld", (long long)
			    json_integer_value(json_object_get(v, "seq")));
			snprintf(text, sizeof(text), "%s ルールセットの不整合を"
			    "検知しました%s%s%s。", js(v, "time"),
			    json_object_get(v, "reason") ? "（" : "",
			    js(v, "reason"), json_object_get(v, "reason") ?
			    "）" : "");
			item(items, "drift-history", "warning", obj, text,
			    "誰がなぜルールセットを変更したかを調査して記録して"
			    "ください（修復は drift-repaired の記録で確認できます）。");
		}
	json_array_foreach(json_object_get(json_object_get(m, "isolation"),
	    "zones"), i, v) {
		snprintf(text, sizeof(text), "ゾーン %s は緊急遮断中です。",
		    js(v, "zone"));
		item(items, "isolated", "info", js(v, "zone"), text, "遮断の"
		    "原因が解消したことを確認し、復旧（zonectl restore）の判断を"
		    "記録してください。");
	}
	if (json_integer_value(json_object_get(a, "total")) > 0) {
		snprintf(text, sizeof(text), "警報が%lld件あります。",
		    (long long)json_integer_value(json_object_get(a, "total")));
		item(items, "alerts", "warning", "alerts", text, "証拠ファイルを"
		    "保全し（SHA-256 を控える）、各警報の原因を調査して記録して"
		    "ください。");
	}
	json_array_foreach(json_object_get(json_object_get(json_object_get(m,
	    "monitor"), "live"), "interfaces"), i, v)
		if (!json_is_true(json_object_get(v, "attached"))) {
			snprintf(text, sizeof(text), "インタフェース %s の監視が"
			    "動作していません。", js(v, "name"));
			item(items, "monitor", "error", js(v, "name"), text,
			    "インタフェースの状態と zoned のログを確認して"
			    "ください。");
		}
}

int
report_inspect(json_t *m, const struct report_input *in)
{
	json_t *items = json_array();

	if (items == NULL || json_object_set_new(m, "inspection",
	    json_pack("{s:o}", "items", items)) < 0)
		return -1;
	findings(items, m);
	exceptions(items, m);
	unused(items, m, in);
	daemon_points(items, m);
	return 0;
}
