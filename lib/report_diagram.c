/*
 * report_diagram — the report's zone diagram as SVG: the model's nodes
 * (each zone, its interfaces and networks; its hosts inside a frame of
 * the zone's colour) and edges (each crossing, labelled with its flow,
 * service and method), laid out by Graphviz's dot and rendered to SVG in
 * process (libcgraph builds the graph, libgvc lays it out and renders it;
 * the dot layout and the core renderers are linked in, so nothing is
 * loaded from a plugin directory and no program is run).
 *
 * My Number crossings are thick red lines, sanitising relays' crossings
 * blue dashes, a cloud break-out purple dashes, closed lines grey dots:
 * told apart by line style as well as colour, so that a print in black
 * and white keeps them apart.
 *
 * Graphviz reads a plain label's backslash escapes (\n, \N ...) and
 * character entities (&amp; ...); every text from the model is passed so
 * that it shows as written: "\" as "\\", "&" as "&#38;".
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "report.h"
#include "report_impl.h"

/*
 * The two plugins the diagram needs (the dot layout, the SVG renderer of
 * core), handed to Graphviz as built-ins: no demand loading, so no plugin
 * configuration file (written by `dot -c`) is needed.  They are opened by
 * their full path in Graphviz's plugin directory (GVC_PLUGIN_DIR, from
 * pkg-config libgvc) rather than linked, which would need a RUNPATH to
 * that directory in zonectl (lintian: custom-library-search-path).
 */
#ifndef GVC_PLUGIN_DIR
#define GVC_PLUGIN_DIR "/usr/lib/x86_64-linux-gnu/graphviz"
#endif
static const struct diagram_lib {
	const char *file, *sym;
} diagram_libs[] = {
	{ GVC_PLUGIN_DIR "/libgvplugin_dot_layout.so.6",
	  "gvplugin_dot_layout_LTX_library" },
	{ GVC_PLUGIN_DIR "/libgvplugin_core.so.6",
	  "gvplugin_core_LTX_library" },
};
#define DIAGRAM_NLIBS (sizeof(diagram_libs) / sizeof(diagram_libs[0]))
static lt_symlist_t diagram_plugins[DIAGRAM_NLIBS + 1];

/* Open the plugins once (they stay loaded); 0, or -1 with err. */
static int
diagram_load(char *err, size_t errlen)
{
	for (size_t i = 0; i < DIAGRAM_NLIBS; i++) {
		void *h, *sym;

		if (diagram_plugins[i].address != NULL)
			continue;
		if ((h = dlopen(diagram_libs[i].file, RTLD_NOW | RTLD_LOCAL)) ==
		    NULL || (sym = dlsym(h, diagram_libs[i].sym)) == NULL) {
			snprintf(err, errlen, "Graphviz: cannot load its plugin "
			    "%s: %s", diagram_libs[i].file, dlerror());
			return -1;
		}
		diagram_plugins[i] = (lt_symlist_t){ diagram_libs[i].sym, sym };
	}
	return 0;
}

#ifdef ZONED_TESTING
/*
 * The dot layout of Debian's Graphviz 2.42 leaks its virtual edges of
 * clusters (make_aux_edge, new_virtual_edge: fixed upstream since), in
 * allocations made by libgvc's gmalloc.  The sanitized test build would
 * fail on every report; what this program allocates itself is still
 * checked (libcgraph's graph, our own buffers).
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\n";
}

/* ... and without a list of them on every run. */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

/* Graphviz reports through a function of its own; the last message. */
static char diagram_error[256];

static int
diagram_errf(char *msg)
{
	size_t n;

	snprintf(diagram_error, sizeof(diagram_error), "%s", msg);
	n = strlen(diagram_error);
	while (n > 0 && (diagram_error[n - 1] == '\n' ||
	    diagram_error[n - 1] == ' '))
		diagram_error[--n] = '\0';
	return 0;
}

/* s as a plain Graphviz label that shows as written; a newline breaks
 * the line.  NULL when out of memory. */
static char *
diagram_label(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += *p == '&' ? 5 : 2;
	if ((out = o = malloc(n + 1)) == NULL)
		return NULL;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			memcpy(o, "&#38;", 5);
			o += 5;
			break;
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			break;
		default:
			*o++ = (unsigned char)*s < 0x20 ? ' ' : *s;
		}
	}
	*o = '\0';
	return out;
}

static void
set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)name, (char *)value, "");
}

static int
set_label(void *obj, const char *text)
{
	char *l = diagram_label(text ? text : "");

	if (l == NULL)
		return -1;
	set(obj, "label", l);
	free(l);
	return 0;
}

struct zone_style {
	const char *kind, *fill, *line, *style;
};

static const struct zone_style zone_styles[] = {
	{ "mynumber", "#fdecea", "#b3261e", "filled,bold" },
	{ "lgwan", "#e8f5e9", "#2e7d32", "filled" },
	{ "internet", "#fff8e1", "#b26a00", "filled" },
	{ "closed", "#eceff1", "#455a64", "filled,dashed" },
	{ "", "#ffffff", "#424242", "filled" },
};

static const struct zone_style *
zone_style(const char *kind)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(zone_styles) / sizeof(zone_styles[0]); i++)
		if (kind && strcmp(kind, zone_styles[i].kind) == 0)
			break;
	return &zone_styles[i];
}

static const struct edge_style {
	const char *cls, *color, *style, *width;
} edge_styles[] = {
	{ "mynumber", "#b3261e", "bold", "3" },
	{ "sanitised", "#1565c0", "dashed", "2" },
	{ "lbo", "#6a1b9a", "dashed", "2" },
	{ "closed", "#455a64", "dotted", "2.5" },
	{ "other", "#424242", "solid", "1.2" },
};

static const struct edge_style *
edge_style(const char *cls)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(edge_styles) / sizeof(edge_styles[0]); i++)
		if (cls && strcmp(cls, edge_styles[i].cls) == 0)
			break;
	return &edge_styles[i];
}

/* The frame of each zone (a cluster), indexed like the model's zones. */
static Agraph_t **
zone_frames(Agraph_t *g, const json_t *zones)
{
	size_t n = json_array_size(zones), i;
	Agraph_t **v = calloc(n + 1, sizeof(*v));
	const json_t *z;
	char name[48];

	if (v == NULL)
		return NULL;
	json_array_foreach(zones, i, z) {
		const struct zone_style *st = zone_style(js(z, "kind"));
		snprintf(name, sizeof(name), "cluster_%zu", i);
		if ((v[i] = agsubg(g, name, 1)) == NULL)
			continue;
		set(v[i], "label", "");
		set(v[i], "style", st->style);
		set(v[i], "fillcolor", st->fill);
		set(v[i], "color", st->line);
		set(v[i], "penwidth", "2");
	}
	return v;
}

static Agraph_t *
frame_of(Agraph_t **frames, const json_t *zones, const char *zone)
{
	const json_t *z;
	size_t i;

	json_array_foreach(zones, i, z)
		if (strcmp(js(z, "name"), zone) == 0)
			return frames[i];
	return NULL;
}

static int
add_node(Agraph_t *g, Agraph_t *frame, const json_t *n, const json_t *zones)
{
	const char *cls = js(n, "class"), *zkind = "";
	const json_t *z;
	Agnode_t *v;
	size_t i;

	json_array_foreach(zones, i, z)
		if (strcmp(js(z, "name"), js(n, "zone")) == 0)
			zkind = js(z, "kind");
	if ((v = agnode(frame ? frame : g, (char *)js(n, "id"), 1)) == NULL ||
	    set_label(v, js(n, "label")) < 0)
		return -1;
	set(v, "id", js(n, "id"));
	if (strcmp(js(n, "type"), "zone") == 0) {
		set(v, "shape", "tab");
		set(v, "style", "filled,bold");
		set(v, "fillcolor", "#ffffff");
		set(v, "color", zone_style(zkind)->line);
		set(v, "penwidth", "2");
		set(v, "fontsize", "12");
	} else if (strcmp(cls, "relay") == 0) {
		set(v, "shape", "hexagon");
		set(v, "style", "filled,bold");
		set(v, "fillcolor", "#e3f2fd");
		set(v, "color", "#1565c0");
	} else if (strcmp(cls, "public") == 0) {
		set(v, "shape", "box3d");
		set(v, "style", "filled");
		set(v, "fillcolor", "#ffffff");
	} else {
		set(v, "shape", "box");
		set(v, "style", "rounded,filled");
		set(v, "fillcolor", "#ffffff");
		if (strcmp(cls, "pinned") == 0) {
			set(v, "color", "#b3261e");
			set(v, "penwidth", "2");
		}
	}
	return 0;
}

static int
add_edge(Agraph_t *g, const json_t *e)
{
	const struct edge_style *st = edge_style(js(e, "class"));
	Agnode_t *a = agnode(g, (char *)js(e, "from"), 0);
	Agnode_t *b = agnode(g, (char *)js(e, "to"), 0);
	Agedge_t *v;

	if (a == NULL || b == NULL)
		return 0;	/* an end the model does not draw */
	if ((v = agedge(g, a, b, NULL, 1)) == NULL ||
	    set_label(v, js(e, "label")) < 0)
		return -1;
	set(v, "color", st->color);
	set(v, "fontcolor", st->color);
	set(v, "style", st->style);
	set(v, "penwidth", st->width);
	return 0;
}

static Agraph_t *
build(const json_t *m)
{
	const json_t *d = json_object_get(m, "diagram");
	const json_t *zones = json_object_get(m, "zones"), *n;
	Agraph_t *g = agopen("zones", Agdirected, NULL), **frames;
	size_t i;
	int rc = 0;

	if (g == NULL || (frames = zone_frames(g, zones)) == NULL) {
		if (g)
			agclose(g);
		return NULL;
	}
	set(g, "rankdir", "LR");
	set(g, "ranksep", "1.2");
	set(g, "nodesep", "0.25");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontsize", "10");
	agattr(g, AGNODE, "margin", "0.12,0.05");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontsize", "9");
	json_array_foreach(json_object_get(d, "nodes"), i, n)
		if (rc == 0)
			rc = add_node(g, frame_of(frames, zones, js(n, "zone")),
			    n, zones);
	json_array_foreach(json_object_get(d, "edges"), i, n)
		if (rc == 0)
			rc = add_edge(g, n);
	free(frames);
	if (rc < 0) {
		agclose(g);
		return NULL;
	}
	return g;
}

char *
report_diagram_svg(const json_t *m, char *err, size_t errlen)
{
	GVC_t *gvc;
	Agraph_t *g;
	char *data = NULL, *svg = NULL, *start;
	unsigned int len = 0;

	diagram_error[0] = '\0';
	if (diagram_load(err, errlen) < 0)
		return NULL;
	agseterrf(diagram_errf);
	if ((gvc = gvContextPlugins(diagram_plugins, 0)) == NULL) {
		snprintf(err, errlen, "Graphviz: no context%s%s",
		    diagram_error[0] ? ": " : "", diagram_error);
		return NULL;
	}
	if ((g = build(m)) == NULL) {
		snprintf(err, errlen, "Graphviz: cannot build the graph%s%s",
		    diagram_error[0] ? ": " : "", diagram_error);
		gvFreeContext(gvc);
		return NULL;
	}
	if (gvLayout(gvc, g, "dot") != 0)
		snprintf(err, errlen, "Graphviz: the dot layout failed%s%s",
		    diagram_error[0] ? ": " : "", diagram_error);
	else {
		if (gvRenderData(gvc, g, "svg", &data, &len) != 0 ||
		    data == NULL)
			snprintf(err, errlen, "Graphviz: rendering SVG failed"
			    "%s%s", diagram_error[0] ? ": " : "",
			    diagram_error);
		else if ((start = strstr(data, "<svg")) == NULL)
			snprintf(err, errlen, "Graphviz: no <svg> in its output");
		else if ((svg = strdup(start)) == NULL)
			snprintf(err, errlen, "out of memory");
		gvFreeRenderData(data);
		gvFreeLayout(gvc, g);
	}
	agclose(g);
	gvFreeContext(gvc);
	return svg;
}
