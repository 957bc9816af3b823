/*
 * report — the audit report's model (see report.h): the policy, its
 * findings ordered by the clauses of the three-layer countermeasures, the
 * exceptions ledger and the diagram, with the daemon's facts filled in by
 * report_live.c and the self-inspection list by report_inspect().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report.h"
#include "timefmt.h"

/* ---------------------------------------------------------------------
 * Labels
 */

struct label {
	const char *word, *ja;
};

static const struct label kind_labels[] = {
	{ "mynumber", "マイナンバー利用事務系" },
	{ "lgwan", "LGWAN接続系" },
	{ "internet", "インターネット接続系" },
	{ "closed", "閉域網（ガバメントクラウド・住基ネット等）" },
	{ NULL, NULL },
};

static const struct label model_labels[] = {
	{ "alpha", "αモデル" }, { "alpha-prime", "α'モデル" },
	{ "beta", "βモデル" }, { "beta-prime", "β'モデル" },
	{ NULL, NULL },
};

static const struct label method_labels[] = {
	{ "direct", "直接通信" },
	{ "specific", "特定通信（経路・ポートを限定）" },
	{ "mail-text", "メール無害化（テキスト化）" },
	{ "screen-transfer", "画面転送" },
	{ "file-sanitize", "ファイル無害化" },
	{ "cloud-lbo", "クラウドサービスへの直接接続（α'）" },
	{ NULL, NULL },
};

static const struct label role_labels[] = {
	{ "mail-relay", "メール無害化中継" },
	{ "screen-transfer", "画面転送サーバ" },
	{ "file-sanitizer", "ファイル無害化装置" },
	{ "public-system", "国等の公的システム" },
	{ NULL, NULL },
};

static const struct label alert_labels[] = {
	{ "crossing-violation", "許可されていない越境通信" },
	{ "mac-mismatch", "MACアドレスの不一致（なりすましの疑い）" },
	{ "verdict-disagreement", "二重判定の不一致（ルールセット改変の疑い）" },
	{ "port-scan", "ポートスキャン" },
	{ "address-scan", "アドレススキャン" },
	{ "lgwan-probe", "LGWAN・マイナンバー系アドレスへの探索" },
	{ "flood", "大量送信（フラッド）" },
	{ NULL, NULL },
};

static const struct label action_labels[] = {
	{ "start", "起動" }, { "stop", "停止" },
	{ "policy-loaded", "ポリシー適用" },
	{ "policy-rejected", "ポリシー拒否" },
	{ "policy-pending", "ポリシー適用（確認待ち）" },
	{ "policy-confirmed", "適用の確認" },
	{ "policy-rolled-back", "適用の取り消し（自動復元）" },
	{ "flow-expired", "許可の期限切れ" },
	{ "drift", "ルールセットの不整合を検知" },
	{ "drift-repaired", "ルールセットの不整合を修復" },
	{ "zone-isolated", "ゾーンの緊急遮断" },
	{ "zone-restored", "遮断の解除" },
	{ "fail-closed", "全通信の遮断（ポリシーなし）" },
	{ NULL, NULL },
};

static const struct label state_labels[] = {
	{ "recorded", "記録あり" },
	{ "offline", "オフラインでは取得できません" },
	{ "unrecorded", "未記録" },
	{ "unavailable", "取得できませんでした" },
	{ NULL, NULL },
};

static const char *
label(const struct label *t, const char *word)
{
	if (word == NULL)
		return "";
	for (; t->word; t++)
		if (strcmp(t->word, word) == 0)
			return t->ja;
	return word;
}

const char *
report_kind_label(const char *kind)
{
	return label(kind_labels, kind);
}

const char *
report_model_label(const char *model)
{
	return label(model_labels, model);
}

const char *
report_method_label(const char *method)
{
	return label(method_labels, method);
}

const char *
report_role_label(const char *role)
{
	return label(role_labels, role);
}

const char *
report_alert_label(const char *kind)
{
	return label(alert_labels, kind);
}

const char *
report_action_label(const char *action)
{
	return label(action_labels, action);
}

const char *
report_state_label(const char *state)
{
	return label(state_labels, state);
}

/* ---------------------------------------------------------------------
 * The clauses and the rules' Japanese summaries
 */

static const struct label rule_summaries[] = {
	{ "ZL001", "マイナンバー利用事務系とインターネット接続系の間の通信は、"
	    "例外としても許可しない" },
	{ "ZL002", "マイナンバー系の端点は1台のホスト（IPアドレス1つと"
	    "MACアドレス）" },
	{ "ZL003", "マイナンバー系の通信はプロトコル1つで、ポート（範囲は16以下）"
	    "またはICMP種別を明示する" },
	{ "ZL004", "マイナンバー系の通信相手は1台で、それ自体がインターネットと"
	    "通信しない（国等の公的システムを除く）" },
	{ "ZL005", "通信方式がゾーンの組とネットワークモデルに合っている" },
	{ "ZL006", "無害化方式の端点・方向・サービスが正しい" },
	{ "ZL007", "インターネット接続系がある限り監視を無効にできない" },
	{ "ZL008", "アドレスが所属ゾーン内にあり、ゾーンがインタフェースを共有せず、"
	    "内部のネットワークが重ならない" },
	{ "ZL009", "（警告）他のフローと重複し、または他のフローに包含される" },
	{ "ZL010", "マイナンバー系およびLGWAN・インターネット間の越境通信に"
	    "承認番号がある" },
	{ "ZL011", "読み込みエラー（構文、未知のキー、型、値、名前の重複・未定義）" },
	{ "ZL012", "（警告）無害化方式が通常と異なるポートを使う" },
	{ "ZL013", "閉域網とインターネット接続系の間の通信は許可しない" },
	{ "ZL014", "（警告）有効期限を過ぎたフロー（無効）" },
	{ "ZL015", "管理アクセスはインターネット接続系から許可せず、"
	    "プロトコルを明示する" },
	{ NULL, NULL },
};

#define CLAUSE_RULES 6

struct clause {
	const char *id, *number, *title, *guideline, *how;
	const char *flow_class;	/* the crossings it lists, NULL: none */
	const char *rules[CLAUSE_RULES];
};

static const struct clause clauses[] = {
	{ "mynumber", "3.1", "マイナンバー利用事務系の分離",
	    "原則として、他の領域との通信をできないようにする。外部と通信をする"
	    "必要がある場合は、通信経路の限定（MACアドレス、IPアドレス）及び"
	    "アプリケーションプロトコル（ポート番号）のレベルでの限定を行わなけ"
	    "ればならない。外部接続先もインターネット等と接続してはならない。",
	    "マイナンバー利用事務系と他のゾーンの間は双方向とも既定で拒否する。"
	    "許可する越境通信（特定通信）は、マイナンバー側のホストをIPアドレスと"
	    "MACアドレスで固定し（MACはパケットごとに照合し、近隣エントリも固定"
	    "する）、相手を1台、プロトコルを1つ、ポートを明示したものに限る。"
	    "これを満たさないポリシーは読み込み時に拒否し、適用しない。",
	    "mynumber", { "ZL001", "ZL002", "ZL003", "ZL004", "ZL010" } },
	{ "lgwan-internet", "3.2",
	    "LGWAN接続系とインターネット接続系の分割・無害化通信",
	    "LGWAN接続系とインターネット接続系の両環境間の通信環境を分離した上"
	    "で、必要な通信だけを許可する。両システム間で通信する場合には、"
	    "無害化通信を実施する。",
	    "LGWAN接続系とインターネット接続系の間は既定で拒否する。許可する通信"
	    "はそれぞれ無害化の方式（メールのテキスト化、画面転送、ファイル無害化、"
	    "α'モデルのクラウド直接接続）を名指しし、その方式を実施するホストとの"
	    "間に限る。",
	    "lgwan-internet", { "ZL005", "ZL006", "ZL012", "ZL010" } },
	{ "closed", "3.3", "閉域網の分離（ガバメントクラウド・住基ネット等）",
	    "閉域網に接続する系は、インターネット等と接続してはならない。",
	    "閉域網のゾーンとインターネット接続系の間の通信は、どの方式でも"
	    "許可しない。",
	    "closed", { "ZL013" } },
	{ "monitoring", "3.4", "インターネット接続系の監視",
	    "通信パケットの監視、ふるまい検知等の不正通信の監視機能の強化 … "
	    "LGWANへの不適切なアクセス等の監視。攻撃の記録を保存する。",
	    "監視機能が各ゾーンのインタフェースで通過した通信を調べ、許可された"
	    "フローに属さない越境、マイナンバー系ホストのMACアドレスの不一致、"
	    "インターネット側からのスキャン・探索・大量送信を検知して警報を上げ、"
	    "その通信をpcap形式の証拠ファイルとしてSHA-256付きで保存する。"
	    "二重判定（dual）では、カーネルが通す新しい接続を独自の判定でも確認する。",
	    NULL, { "ZL007" } },
	{ "integrity", "3.5", "設定の整合性と管理経路",
	    "フィルタリング及びルーティングについて、設定の不整合が発生しない"
	    "ようにする。",
	    "ポリシーファイル1つを唯一の設定とし、カーネルのルールセットはそこから"
	    "生成して一括で適用し、定期的に照合する（不一致は警報）。アドレスと"
	    "ゾーンの整合性、重複、期限切れ、管理アクセスの経路を検査する。",
	    NULL, { "ZL008", "ZL011", "ZL009", "ZL014", "ZL015" } },
};

#define NCLAUSES (sizeof(clauses) / sizeof(clauses[0]))

/* ---------------------------------------------------------------------
 * Small helpers
 */

static json_t *
jtime(time_t t)
{
	char buf[TIMEFMT_LEN];

	return json_string(timefmt_local(t, buf, sizeof(buf)));
}

json_t *
report_text(const char *s)
{
	json_t *j;
	char *t, *o;
	size_t n, i = 0, k;
	unsigned cp;

	if (s == NULL)
		s = "";
	if ((j = json_string(s)) != NULL)
		return j;
	n = strlen(s);	/* not UTF-8: each bad byte becomes U+FFFD */
	if ((t = o = malloc(3 * n + 1)) == NULL)
		return NULL;
	while (i < n) {
		if ((k = html_utf8(s + i, n - i, &cp)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, s + i, k);
		o += k;
		i += k;
	}
	*o = '\0';
	j = json_string(t);
	free(t);
	return j;
}

static json_t *
jstr_or_null(const char *s)
{
	return s ? report_text(s) : json_null();
}

/* Whole days from now to t, rounded down (negative: past). */
static long long
days_until(time_t t, time_t now)
{
	long long d = (long long)t - (long long)now;

	return d >= 0 ? d / 86400 : -((-d + 86399) / 86400);
}

static const char *
zone_name(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].name : NULL;
}

static enum zone_kind
zone_kind(const struct policy *p, int z)
{
	return z >= 0 && (size_t)z < p->nzones ? p->zones[z].kind : 0;
}

static const char *
endpoint_name(const struct policy *p, const struct endpoint *e)
{
	if (e->kind == EP_ZONE)
		return zone_name(p, e->idx);
	if (e->kind == EP_HOST && e->idx >= 0 && (size_t)e->idx < p->nhosts)
		return p->hosts[e->idx].name;
	return NULL;
}

static const char *
endpoint_type(const struct endpoint *e)
{
	return e->kind == EP_ZONE ? "zone" : e->kind == EP_HOST ? "host" :
	    "none";
}

/* What kind of crossing a flow is: "mynumber", "lgwan-internet",
 * "closed", "other"; "unknown" when an end does not resolve. */
static const char *
flow_class(const struct policy *p, const struct flow *f)
{
	int a = policy_endpoint_zone(p, &f->from);
	int b = policy_endpoint_zone(p, &f->to);
	enum zone_kind ka = zone_kind(p, a), kb = zone_kind(p, b);

	if (ka == 0 || kb == 0)
		return "unknown";
	if (ka == ZONE_MYNUMBER || kb == ZONE_MYNUMBER)
		return "mynumber";
	if (ka == ZONE_CLOSED || kb == ZONE_CLOSED)
		return "closed";
	if ((ka == ZONE_LGWAN && kb == ZONE_INTERNET) ||
	    (ka == ZONE_INTERNET && kb == ZONE_LGWAN))
		return "lgwan-internet";
	return "other";
}

static const char *
flow_service_text(const struct policy *p, const struct flow *f, char *buf,
    size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < f->nservices; k++) {
		if (f->services[k] < 0 || (size_t)f->services[k] >= p->nservices)
			continue;
		if (buf[0])
			snprintf(buf + strlen(buf), len - strlen(buf), ", ");
		policy_service_text(&p->services[f->services[k]],
		    buf + strlen(buf), len - strlen(buf));
	}
	return buf;
}

/* ---------------------------------------------------------------------
 * The policy's objects
 */

static json_t *
zones_json(const struct policy *p)
{
	json_t *a = json_array();
	char buf[ADDR_PFX_STRLEN];

	for (size_t i = 0; i < p->nzones; i++) {
		const struct zone *z = &p->zones[i];
		const char *kind = z->kind ? policy_zone_kind_str(z->kind) : "";
		json_t *ifs = json_array(), *nets = json_array(),
		    *hosts = json_array();

		for (size_t j = 0; j < z->nifaces; j++)
			json_array_append_new(ifs, json_pack("{s:o, s:n}",
			    "name", report_text(z->ifaces[j]), "state"));
		for (size_t j = 0; j < z->nnets; j++)
			json_array_append_new(nets, json_string(addr_format(
			    &z->nets[j], buf, sizeof(buf))));
		for (size_t j = 0; j < p->nhosts; j++)
			if (p->hosts[j].zone == (int)i)
				json_array_append_new(hosts,
				    report_text(p->hosts[j].name));
		json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:i, s:b, "
		    "s:o, s:o, s:o, s:n, s:n}", "name", report_text(z->name),
		    "kind", kind,
		    "kind_label", report_kind_label(kind), "line", z->line,
		    "bad", z->bad, "interfaces", ifs, "networks", nets,
		    "hosts", hosts, "isolated", "traffic"));
	}
	return a;
}

/* A host's addresses as written: the one address, or a list (its first
 * few, how many, and the file it is read from). */
static const char *
host_addr_text(const struct host *h, char *buf, size_t len)
{
	char a[ADDR_PFX_STRLEN];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < h->naddrs && i < 4; i++)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    i ? ", " : "", addr_format(&h->addrs[i].pfx, a, sizeof(a)));
	if (h->list && n < len)
		snprintf(buf + n, len - n, "%s(%zu address%s%s%s)",
		    h->naddrs ? " " : "", h->naddrs, h->naddrs == 1 ? "" : "es",
		    h->list_file ? ", " : "", h->list_file ? h->list_file : "");
	return buf;
}

static json_t *
hosts_json(const struct policy *p)
{
	json_t *a = json_array();
	char addr[512], mac[24];

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct host *h = &p->hosts[i];
		const char *role = h->role ? policy_role_str(h->role) : NULL;

		json_array_append_new(a, json_pack("{s:o, s:o, s:s, s:o, s:o, "
		    "s:o, s:o, s:i, s:b}", "name", report_text(h->name),
		    "zone", jstr_or_null(zone_name(p, h->zone)),
		    "address", host_addr_text(h, addr, sizeof(addr)),
		    "mac", h->has_mac ? json_string(mac_format(h->mac, mac,
		    sizeof(mac))) : json_null(),
		    "role", jstr_or_null(role),
		    "role_label", role ? json_string(report_role_label(role)) :
		    json_null(),
		    "comment", jstr_or_null(h->comment),
		    "line", h->line, "bad", h->bad));
	}
	return a;
}

static json_t *
services_json(const struct policy *p)
{
	json_t *a = json_array();
	char text[512];

	for (size_t i = 0; i < p->nservices; i++) {
		const struct service *s = &p->services[i];

		text[0] = '\0';
		policy_service_text(s, text, sizeof(text));
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:i, s:b}",
		    "name", report_text(s->name), "text", report_text(text),
		    "comment",
		    jstr_or_null(s->comment), "line", s->line, "bad", s->bad));
	}
	return a;
}

static json_t *
flows_json(const struct policy *p, time_t now)
{
	json_t *a = json_array();
	char svc[1024];

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		const char *method = policy_method_str(f->method);
		json_t *names = json_array();

		for (size_t k = 0; k < f->nservices; k++)
			if (f->services[k] >= 0 &&
			    (size_t)f->services[k] < p->nservices)
				json_array_append_new(names, report_text(
				    p->services[f->services[k]].name));
		json_array_append_new(a, json_pack("{s:o, s:i, s:b, s:o, s:s, "
		    "s:o, s:o, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o, "
		    "s:o, s:o, s:b, s:b, s:{s:s}}",
		    "name", report_text(f->name), "line", f->line,
		    "bad", f->bad,
		    "from", jstr_or_null(endpoint_name(p, &f->from)),
		    "from_type", endpoint_type(&f->from),
		    "from_zone", jstr_or_null(zone_name(p,
		    policy_endpoint_zone(p, &f->from))),
		    "to", jstr_or_null(endpoint_name(p, &f->to)),
		    "to_type", endpoint_type(&f->to),
		    "to_zone", jstr_or_null(zone_name(p,
		    policy_endpoint_zone(p, &f->to))),
		    "services", names,
		    "service_text", report_text(flow_service_text(p, f, svc,
		    sizeof(svc))),
		    "method", method,
		    "method_label", report_method_label(method),
		    "class", flow_class(p, f),
		    "approval", jstr_or_null(f->approval),
		    "comment", jstr_or_null(f->comment),
		    "expires", f->has_expires ? jtime(f->expires) : json_null(),
		    "days_left", f->has_expires ?
		    json_integer(days_until(f->expires, now)) : json_null(),
		    "active", policy_flow_active(f, now), "log", f->log,
		    "usage", "state", "offline"));
	}
	return a;
}

static json_t *
management_json(const struct policy *p)
{
	json_t *a = json_array();

	for (size_t i = 0; i < p->nmgmt; i++) {
		const struct mgmt *m = &p->mgmt[i];
		int s = m->service;

		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:i, s:b}",
		    "from", jstr_or_null(endpoint_name(p, &m->from)),
		    "zone", jstr_or_null(zone_name(p,
		    policy_endpoint_zone(p, &m->from))),
		    "service", jstr_or_null(s >= 0 && (size_t)s < p->nservices ?
		    p->services[s].name : NULL), "line", m->line,
		    "bad", m->bad));
	}
	return a;
}

static json_t *
monitor_json(const struct policy *p)
{
	const struct policy_monitor *m = &p->monitor;

	return json_pack("{s:b, s:i, s:i, s:i, s:i, s:i, s:o, s:I, "
	    "s:{s:s}}", "enabled", m->enabled, "snaplen", m->snaplen,
	    "flood_pps", m->flood_pps, "scan_ports", m->scan_ports,
	    "scan_hosts", m->scan_hosts, "scan_window", m->scan_window,
	    "evidence_dir", jstr_or_null(m->evidence_dir),
	    "evidence_max", (json_int_t)m->evidence_max,
	    "live", "state", "offline");
}

/* ---------------------------------------------------------------------
 * Findings and clauses
 */

static json_t *
findings_json(const struct diag *d)
{
	json_t *a = json_array();

	for (size_t i = 0; d && i < d->n; i++) {
		const struct diag_finding *f = &d->v[i];

		json_array_append_new(a, json_pack("{s:o, s:i, s:s, s:s, s:o, "
		    "s:o}", "file", report_text(f->file), "line", f->line,
		    "severity", diag_severity_str(f->severity), "id", f->id,
		    "object", report_text(f->object), "message",
		    report_text(f->message)));
	}
	return a;
}

/* The flow a finding's object names ("flow \"x\"", "flow \"x\" (#3)",
 * "flow #3"), -1 when none. */
static int
finding_flow(const struct policy *p, const char *object)
{
	const char *q;
	char name[POLICY_NAME_MAX * 4 + 1];
	long n;

	if (p == NULL || object == NULL || strncmp(object, "flow ", 5) != 0)
		return -1;
	object += 5;
	if (*object == '#') {
		n = strtol(object + 1, NULL, 10);
		return n >= 1 && (size_t)n <= p->nflows ? (int)n - 1 : -1;
	}
	if (*object != '"' || (q = strchr(object + 1, '"')) == NULL ||
	    (size_t)(q - object - 1) >= sizeof(name))
		return -1;
	memcpy(name, object + 1, (size_t)(q - object - 1));
	name[q - object - 1] = '\0';
	if ((q = strstr(q, "(#")) != NULL) {
		n = strtol(q + 2, NULL, 10);
		if (n >= 1 && (size_t)n <= p->nflows)
			return (int)n - 1;
	}
	return policy_find_flow(p, name);
}

/* Does the finding belong to this clause?  ZL010, shared by the My Number
 * and the LGWAN/Internet clauses, goes to the clause of its flow. */
static bool
finding_in_clause(const struct policy *p, const struct diag_finding *f,
    const struct clause *c)
{
	const char *cls;
	int fl;

	if (strcmp(f->id, "ZL010") != 0 || c->flow_class == NULL ||
	    (fl = finding_flow(p, f->object)) < 0)
		return true;
	cls = flow_class(p, &p->flows[fl]);
	if (strcmp(cls, "mynumber") != 0 && strcmp(cls, "lgwan-internet") != 0)
		return true;
	return strcmp(cls, c->flow_class) == 0;
}

static json_t *
clause_rules(const struct policy *p, const struct diag *d,
    const struct clause *c)
{
	json_t *rules = json_array();

	for (int r = 0; r < CLAUSE_RULES && c->rules[r]; r++) {
		const char *id = c->rules[r];
		json_t *idx = json_array();
		int errors = 0, warnings = 0;
		const char *result;

		for (size_t i = 0; d && i < d->n; i++) {
			const struct diag_finding *f = &d->v[i];
			if (strcmp(f->id, id) != 0 ||
			    !finding_in_clause(p, f, c))
				continue;
			json_array_append_new(idx, json_integer((json_int_t)i));
			if (f->severity == DIAG_ERROR)
				errors++;
			else
				warnings++;
		}
		result = errors ? "fail" : warnings ? "warn" : "pass";
		if (p == NULL && strcmp(id, "ZL011") != 0)
			result = "unjudged";
		json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:o}",
		    "id", id, "summary", label(rule_summaries, id),
		    "result", result, "findings", idx));
	}
	return rules;
}

static json_t *
clauses_json(const struct policy *p, const struct diag *d)
{
	json_t *a = json_array();

	for (size_t i = 0; i < NCLAUSES; i++) {
		const struct clause *c = &clauses[i];
		json_t *flows = json_array();

		for (size_t k = 0; p && c->flow_class && k < p->nflows; k++)
			if (strcmp(flow_class(p, &p->flows[k]),
			    c->flow_class) == 0)
				json_array_append_new(flows,
				    json_integer((json_int_t)k));
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, "
		    "s:o, s:o}", "id", c->id, "number", c->number, "title",
		    c->title, "guideline", c->guideline, "how", c->how,
		    "rules", clause_rules(p, d, c), "flows", flows));
	}
	return a;
}

/* ---------------------------------------------------------------------
 * The exceptions ledger: every flow with an approval or an expiry
 */

static json_t *
exceptions_json(const struct policy *p, time_t now)
{
	json_t *entries = json_array();
	int expired = 0, expiring = 0;

	for (size_t i = 0; p && i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		const char *status = "permanent";
		long long left = 0;

		if (f->approval == NULL && !f->has_expires)
			continue;
		if (f->has_expires) {
			left = days_until(f->expires, now);
			if (!policy_flow_active(f, now)) {
				status = "expired";
				expired++;
			} else if ((long long)f->expires - (long long)now <=
			    (long long)REPORT_EXPIRING_DAYS * 86400) {
				status = "expiring";
				expiring++;
			} else
				status = "valid";
		}
		json_array_append_new(entries, json_pack("{s:o, s:I, s:o, "
		    "s:o, s:o, s:o, s:s}", "flow", report_text(f->name),
		    "index", (json_int_t)i, "approval",
		    jstr_or_null(f->approval), "comment",
		    jstr_or_null(f->comment), "expires", f->has_expires ?
		    jtime(f->expires) : json_null(), "days_left",
		    f->has_expires ? json_integer(left) : json_null(),
		    "status", status));
	}
	return json_pack("{s:i, s:i, s:i, s:o}", "expiring_days",
	    REPORT_EXPIRING_DAYS, "expired", expired, "expiring", expiring,
	    "entries", entries);
}

/* ---------------------------------------------------------------------
 * The diagram's graph
 */

static void
cut(char *s, size_t max)
{
	if (strlen(s) > max) {
		size_t n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;	/* not inside a UTF-8 character */
		strcpy(s + n, "…");
	}
}

static const char *
edge_class(const struct flow *f, const char *cls)
{
	if (strcmp(cls, "lgwan-internet") == 0)
		return f->method == METHOD_CLOUD_LBO ? "lbo" : "sanitised";
	return cls;
}

static json_t *
zone_node(const struct policy *p, size_t i)
{
	const struct zone *z = &p->zones[i];
	const char *kind = z->kind ? policy_zone_kind_str(z->kind) : "";
	char id[32], lbl[512], a[ADDR_PFX_STRLEN];

	snprintf(id, sizeof(id), "zone_%zu", i);
	snprintf(lbl, sizeof(lbl), "%s\n%s\nIF:", z->name,
	    report_kind_label(kind));
	for (size_t j = 0; j < z->nifaces; j++)
		snprintf(lbl + strlen(lbl), sizeof(lbl) - strlen(lbl), " %s",
		    z->ifaces[j]);
	for (size_t j = 0; j < z->nnets && j < 4; j++)
		snprintf(lbl + strlen(lbl), sizeof(lbl) - strlen(lbl), "%s%s",
		    j ? ", " : "\n", addr_format(&z->nets[j], a, sizeof(a)));
	if (z->nnets > 4)
		snprintf(lbl + strlen(lbl), sizeof(lbl) - strlen(lbl),
		    " 他%zu", z->nnets - 4);
	return json_pack("{s:s, s:s, s:o, s:o, s:s}", "id", id, "type",
	    "zone", "zone", report_text(z->name), "label", report_text(lbl),
	    "class", kind);
}

static json_t *
host_node(const struct policy *p, size_t i)
{
	const struct host *h = &p->hosts[i];
	char id[32], lbl[256], a[200], mac[24];
	const char *cls = "host";

	snprintf(id, sizeof(id), "host_%zu", i);
	snprintf(lbl, sizeof(lbl), "%s\n%s", h->name, host_addr_text(h, a,
	    sizeof(a)));
	if (h->has_mac)
		snprintf(lbl + strlen(lbl), sizeof(lbl) - strlen(lbl), "\n%s",
		    mac_format(h->mac, mac, sizeof(mac)));
	if (h->role)
		snprintf(lbl + strlen(lbl), sizeof(lbl) - strlen(lbl), "\n[%s]",
		    report_role_label(policy_role_str(h->role)));
	if (h->role == ROLE_PUBLIC_SYSTEM)
		cls = "public";
	else if (h->role)
		cls = "relay";
	else if (zone_kind(p, h->zone) == ZONE_MYNUMBER)
		cls = "pinned";
	return json_pack("{s:s, s:s, s:o, s:o, s:s}", "id", id, "type",
	    "host", "zone", report_text(p->zones[h->zone].name), "label",
	    report_text(lbl), "class", cls);
}

/* The node of an endpoint: its host, or its zone when the host is not
 * drawn (grouped) or the endpoint is a zone. */
static void
endpoint_node(const struct policy *p, const struct endpoint *e,
    bool grouped, char *id, size_t len)
{
	if (e->kind == EP_HOST && !grouped)
		snprintf(id, len, "host_%d", e->idx);
	else
		snprintf(id, len, "zone_%d", policy_endpoint_zone(p, e));
}

/* Can the flow be drawn: both ends resolve to drawn nodes. */
static bool
drawable(const struct policy *p, const struct flow *f)
{
	const struct endpoint *e[2] = { &f->from, &f->to };

	for (int k = 0; k < 2; k++) {
		int z = policy_endpoint_zone(p, e[k]);
		if (z < 0 || (size_t)z >= p->nzones)
			return false;
		if (e[k]->kind == EP_HOST && (e[k]->idx < 0 ||
		    (size_t)e[k]->idx >= p->nhosts))
			return false;
	}
	return true;
}

static json_t *
diagram_edges_grouped(const struct policy *p)
{
	json_t *edges = json_array(), *seen = json_object();
	char from[32], to[32], key[128], lbl[128];
	const char *k;
	json_t *v;

	for (size_t i = 0; i < p->nflows; i++) {
		const struct flow *f = &p->flows[i];
		const char *cls;
		json_t *e;

		if (!drawable(p, f))
			continue;
		cls = edge_class(f, flow_class(p, f));
		endpoint_node(p, &f->from, true, from, sizeof(from));
		endpoint_node(p, &f->to, true, to, sizeof(to));
		snprintf(key, sizeof(key), "%s %s %s", from, to, cls);
		if ((e = json_object_get(seen, key)) == NULL) {
			e = json_pack("{s:s, s:s, s:s, s:s, s:i}", "from", from,
			    "to", to, "label", "", "class", cls, "count", 0);
			json_object_set_new(seen, key, e);
		}
		json_object_set_new(e, "count", json_integer(json_integer_value(
		    json_object_get(e, "count")) + 1));
	}
	json_object_foreach(seen, k, v) {
		snprintf(lbl, sizeof(lbl), "%lld本のフロー",
		    (long long)json_integer_value(json_object_get(v, "count")));
		json_object_set_new(v, "label", json_string(lbl));
		json_array_append(edges, v);
	}
	json_decref(seen);
	return edges;
}

static json_t *
diagram_json(const struct policy *p)
{
	bool grouped = p->nhosts > REPORT_DIAGRAM_HOSTS ||
	    p->nflows > REPORT_DIAGRAM_FLOWS;
	json_t *nodes = json_array(), *edges;
	char from[32], to[32], svc[1024], lbl[1400];

	for (size_t i = 0; i < p->nzones; i++)
		json_array_append_new(nodes, zone_node(p, i));
	for (size_t i = 0; !grouped && i < p->nhosts; i++)
		if (p->hosts[i].zone >= 0 &&
		    (size_t)p->hosts[i].zone < p->nzones)
			json_array_append_new(nodes, host_node(p, i));
	if (grouped)
		edges = diagram_edges_grouped(p);
	else {
		edges = json_array();
		for (size_t i = 0; i < p->nflows; i++) {
			const struct flow *f = &p->flows[i];
			if (!drawable(p, f))
				continue;
			endpoint_node(p, &f->from, false, from, sizeof(from));
			endpoint_node(p, &f->to, false, to, sizeof(to));
			flow_service_text(p, f, svc, sizeof(svc));
			cut(svc, 40);
			snprintf(lbl, sizeof(lbl), "%s\n%s\n%s", f->name, svc,
			    report_method_label(policy_method_str(f->method)));
			json_array_append_new(edges, json_pack("{s:s, s:s, "
			    "s:o, s:s, s:o}", "from", from, "to", to, "label",
			    report_text(lbl), "class", edge_class(f,
			    flow_class(p, f)), "flow", report_text(f->name)));
		}
	}
	return json_pack("{s:b, s:o, s:o}", "grouped", grouped, "nodes", nodes,
	    "edges", edges);
}

/* ---------------------------------------------------------------------
 * The whole model
 */

static json_t *
policy_json(const struct report_input *in)
{
	const struct policy *p = in->pol;
	const char *model = p && p->model ? policy_model_str(p->model) : NULL;

	return json_pack("{s:o, s:o, s:b, s:o, s:o, s:o, s:i, s:i, s:n, s:n}",
	    "file", report_text(in->file),
	    "sha256", jstr_or_null(in->sha256), "loaded", p != NULL,
	    "version", p ? json_integer(p->version) : json_null(),
	    "model", jstr_or_null(model),
	    "model_label", model ? json_string(report_model_label(model)) :
	    json_null(),
	    "errors", in->diag ? in->diag->nerrors : 0,
	    "warnings", in->diag ? in->diag->nwarnings : 0,
	    "running_sha256", "matches_running");
}

static json_t *
offline(void)
{
	return json_pack("{s:s}", "state", "offline");
}

static json_t *
counts_json(const json_t *m)
{
	const json_t *e, *flows = json_object_get(m, "flows");
	size_t i, approvals = 0;

	json_array_foreach(flows, i, e)
		approvals += json_is_string(json_object_get(e, "approval"));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
	    "zones", (json_int_t)json_array_size(json_object_get(m, "zones")),
	    "hosts", (json_int_t)json_array_size(json_object_get(m, "hosts")),
	    "services", (json_int_t)json_array_size(json_object_get(m,
	    "services")),
	    "flows", (json_int_t)json_array_size(flows),
	    "approvals", (json_int_t)approvals,
	    "findings", (json_int_t)json_array_size(json_object_get(m,
	    "findings")));
}

json_t *
report_build(const struct report_input *in, char *err, size_t errlen)
{
	const struct policy *p = in->pol;
	json_t *m;

	m = json_pack("{s:s, s:i, s:o, s:o, s:b, s:o, s:i, s:i}",
	    "format", REPORT_FORMAT, "version", REPORT_VERSION,
	    "generated_at", jtime(in->now),
	    "appliance", report_text(in->appliance),
	    "online", in->live != NULL,
	    "since", in->since ? jtime(in->since) : json_null(),
	    "unused_days", in->unused_days,
	    "expiring_days", REPORT_EXPIRING_DAYS);
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_object_set_new(m, "policy", policy_json(in));
	json_object_set_new(m, "daemon", offline());
	json_object_set_new(m, "clock", offline());
	json_object_set_new(m, "kernel", offline());
	json_object_set_new(m, "enforce", json_pack("{s:o, s:o, s:o}", "mode",
	    p ? json_string(p->enforce.mode == ENFORCE_KERNEL ? "kernel" :
	    "dual") : json_null(), "mode_label", p ? json_string(
	    p->enforce.mode == ENFORCE_KERNEL ? "カーネルのルールセットのみ" :
	    "二重判定（ルールセットと独自の判定）") : json_null(), "live",
	    offline()));
	json_object_set_new(m, "isolation", offline());
	json_object_set_new(m, "confirm", offline());
	json_object_set_new(m, "zones", p ? zones_json(p) : json_array());
	json_object_set_new(m, "hosts", p ? hosts_json(p) : json_array());
	json_object_set_new(m, "services", p ? services_json(p) :
	    json_array());
	json_object_set_new(m, "flows", p ? flows_json(p, in->now) :
	    json_array());
	json_object_set_new(m, "management", p ? management_json(p) :
	    json_array());
	json_object_set_new(m, "monitor", p ? monitor_json(p) : json_null());
	json_object_set_new(m, "findings", findings_json(in->diag));
	json_object_set_new(m, "clauses", clauses_json(p, in->diag));
	json_object_set_new(m, "exceptions", exceptions_json(p, in->now));
	json_object_set_new(m, "alerts", offline());
	json_object_set_new(m, "journal", offline());
	json_object_set_new(m, "diagram", p ? diagram_json(p) :
	    json_pack("{s:b, s:[], s:[]}", "grouped", 0, "nodes", "edges"));
	if (in->live != NULL && report_live_fill(m, in, err, errlen) < 0) {
		json_decref(m);
		return NULL;
	}
	if (in->journal != NULL)	/* a copy named by the caller */
		report_journal_fill(m, in->journal, in->since);
	if (report_inspect(m, in) < 0) {
		snprintf(err, errlen, "out of memory");
		json_decref(m);
		return NULL;
	}
	json_object_set_new(m, "counts", counts_json(m));
	return m;
}
