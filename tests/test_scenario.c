/* test_scenario.c - CUnit suite of the scenario modules (scenario.c, params.c,
 * inichain.c, csvtab.c, tables.c, month.c): loading, extends chains, --set,
 * every kind of error (checked for the file, line, key and range named in the
 * message, not only the code), the CSV tables, the monthly conversion, the
 * resolved-text round trip and months.
 *
 * Fixtures are written into tu_tmpdir(): base.ini sets every key of params.def
 * to a mid-range value (generated from the X-macro, so it follows the table),
 * plus small node and sector CSV files. Tests add small files on top. */
#include "scenario.h"
#include "testutil.h"
#include "world.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MSG_HAS(err, s)                                                                  \
    do {                                                                                 \
        if (!strstr((err).msg, (s))) {                                                   \
            fprintf(stderr, "\n  message \"%s\"\n  lacks \"%s\"\n", (err).msg, (s));   \
            CU_FAIL("message lacks " #s);                                                \
        }                                                                                \
    } while (0)

static const char NODES_CSV[] =
    "# nodes for the tests\n"
    "name,kind,region,coastal,lat,lon,population,gdp_per_capita,min_wage,amenity,land_price,land_elasticity,"
    "migrant_share,source\n"
    "Shanghai,city,East,1,31.23,121.47,24870000,157300,2590,0.5,3.0,0.3,0.4,\"NBS 2020, census\"\n"
    "Chengdu,city,West,0,30.57,104.07,20940000,103400,2100,0.2,1.0,1.5,0.3,NBS 2020\n"
    "\n"
    "Rural West,rural,west,0,30,100,50000000,30000,1500,0,0.3,3,0,NBS\n";

/* Columns deliberately not in the documented order: matched by header name. */
#define SECTORS_HEADER                                                                                  \
    "source,name,alpha,min_tier,rd_share,lambda,exposure,export_share,consumer_share,investment_share," \
    "procurement_share,employment_share,tradable,hard_tech,agriculture\n"
static const char SECTORS_CSV[] = SECTORS_HEADER
    "test,agriculture,0.2,0,0.0,0.01,0.1,0.1,0.2,0.1,0.1,0.3,1,0,1\n"
    "test,manufacturing,0.35,1,0.02,0.02,0.3,0.6,0.3,0.7,0.3,0.3,1,0,0\n"
    "test,local services,0.25,0,0.0,0.0,0.0,0.0,0.4,0.0,0.4,0.3,0,0,0\n"
    "\"Huawei, SMIC reports\",semiconductors,0.45,3,0.15,0.03,0.8,0.3,0.1,0.2,0.2,0.1,1,1,0\n";

/* buf = tmpdir/name; a name too long for buf fails the test instead of truncating. */
static void tpath(char *buf, size_t n, const char *name)
{
    int k = snprintf(buf, n, "%s/%s", tu_tmpdir(), name);
    CU_ASSERT_FATAL(k > 0 && (size_t)k < n);
}

static void wfile(const char *name, const char *text)
{
    char p[1024];
    tpath(p, sizeof p, name);
    CU_ASSERT_FATAL(tu_write_file(p, text) == 0);
}

/* ---- base.ini from params.def ---- */

typedef struct {
    FILE *f;
    char sec[32];
    const char *skip; /* "section.key" left out, or NULL */
} gen;

static int gen_key(gen *g, const char *sec, const char *key)
{
    char full[96];
    snprintf(full, sizeof full, "%s.%s", sec, key);
    if (g->skip && !strcmp(g->skip, full)) return 0;
    if (strcmp(g->sec, sec)) {
        fprintf(g->f, "\n[%s]\n", sec);
        snprintf(g->sec, sizeof g->sec, "%s", sec);
    }
    fprintf(g->f, "%s = ", key);
    return 1;
}

static void gen_REAL(gen *g, const char *sec, const char *key, double lo, double hi)
{
    if (!gen_key(g, sec, key)) return;
    double v = (lo + hi) / 2;
    if (!strncmp(key, "edu_", 4) || strstr(key, "_edu_")) v = 0.25;
    /* Policies whose dates must lie within the run are off in the base. */
    if ((!strcmp(sec, "sanctions") && (!strcmp(key, "level") || !strcmp(key, "export_cut"))) ||
        (!strcmp(sec, "little_giants") && !strcmp(key, "count")) ||
        (!strcmp(sec, "skills") && !strcmp(key, "training_share")))
        v = 0;
    fprintf(g->f, "%.17g\n", v);
}

static void gen_RATE_Y(gen *g, const char *sec, const char *key, double lo, double hi)
{
    gen_REAL(g, sec, key, lo, hi);
}

static void gen_INT(gen *g, const char *sec, const char *key, int64_t lo, int64_t hi)
{
    if (gen_key(g, sec, key)) fprintf(g->f, "%lld\n", (long long)(lo + (hi - lo) / 2));
}

static void gen_MONTH(gen *g, const char *sec, const char *key, int lo, int hi)
{
    if (gen_key(g, sec, key)) fprintf(g->f, "%04d-06\n", (lo / 100 + hi / 100) / 2);
}

static void gen_PATH(gen *g, const char *sec, const char *key, int lo, int hi)
{
    (void)lo;
    (void)hi;
    if (gen_key(g, sec, key)) fprintf(g->f, "%s.csv\n", key);
}

/* A policy date: the generated run starts at the MONTH midpoint, so this
 * date is the run's first month, inside the run. */
static void gen_SCHED(gen *g, const char *sec, const char *key, int lo, int hi)
{
    gen_MONTH(g, sec, key, lo, hi);
}

static void gen_NODES(gen *g, const char *sec, const char *key, int lo, int hi)
{
    (void)lo;
    (void)hi;
    if (gen_key(g, sec, key)) fprintf(g->f, "none\n");
}

static void gen_SECTORS(gen *g, const char *sec, const char *key, int lo, int hi)
{
    gen_NODES(g, sec, key, lo, hi);
}

/* Write a complete scenario file (minus key `skip`) named `name`. */
static void write_base(const char *name, const char *skip)
{
    char p[1024];
    tpath(p, sizeof p, name);
    gen g = {fopen(p, "w"), "", skip};
    CU_ASSERT_FATAL(g.f != NULL);
    fprintf(g.f, "; generated from params.def: every key at mid-range\ndescription = the test base\n");
#define PARAM(sec, key, type, lo, hi, unit, desc) gen_##type(&g, #sec, #key, lo, hi);
#include "params.def"
#undef PARAM
    fclose(g.f);
}

static void setup(void)
{
    static int done;
    if (done) return;
    write_base("base.ini", NULL);
    wfile("nodes.csv", NODES_CSV);
    wfile("sectors.csv", SECTORS_CSV);
    done = 1;
}

static inc_status load(scenario *sc, const char *name, const char *const *sets, int n, inc_err *e)
{
    char p[1024];
    tpath(p, sizeof p, name);
    return scenario_load(sc, p, sets, n, e);
}

static int is_empty(const scenario *sc)
{
    return !sc->nodes && !sc->sectors && !sc->name && !sc->path && !sc->resolved && sc->n_nodes == 0 &&
           sc->n_sectors == 0;
}

/* Load `name` expecting failure `code`; the scenario must be left empty. */
static void expect_fail(const char *name, const char *const *sets, int n, inc_status code, inc_err *e)
{
    scenario sc;
    memset(&sc, 0xAB, sizeof sc);
    inc_status st = load(&sc, name, sets, n, e);
    if (st != code) fprintf(stderr, "\n  %s: status %d, expected %d: %s\n", name, (int)st, (int)code, e->msg);
    CU_ASSERT_EQUAL(st, code);
    CU_ASSERT(is_empty(&sc));
    scenario_free(&sc);
}

/* ---- tests ---- */

static void test_valid_load(void)
{
    setup();
    scenario sc;
    inc_err e = {0};
    inc_status st = load(&sc, "base.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_STRING_EQUAL(sc.name, "base");
    CU_ASSERT(strstr(sc.path, "/base.ini") != NULL);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_chi, 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.scale_persons_per_agent, 500000.5, 0);
    CU_ASSERT_EQUAL(sc.p.run_months, 600);
    CU_ASSERT_EQUAL(sc.p.run_seed, INT64_MAX / 2);
    CU_ASSERT_EQUAL(sc.p.run_start, 12 * 2000 + 5);
    CU_ASSERT_EQUAL(sc.p.labour_revision_month, 6);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.init_edu_migrant_2, 0.25, 0);
    /* PATH values are resolved against the folder of the file that set them. */
    char cwd[1024], dir[1024];
    CU_ASSERT_FATAL(getcwd(cwd, sizeof cwd) != NULL);
    CU_ASSERT_FATAL(chdir(tu_tmpdir()) == 0);
    CU_ASSERT_FATAL(getcwd(dir, sizeof dir) != NULL);
    CU_ASSERT_FATAL(chdir(cwd) == 0);
    char want[1100];
    snprintf(want, sizeof want, "%s/nodes.csv", dir);
    CU_ASSERT_STRING_EQUAL(sc.p.data_nodes, want);
    CU_ASSERT_EQUAL(sc.p.data_nodes[0], '/');
    /* Tables. */
    CU_ASSERT_EQUAL(sc.n_nodes, 3);
    CU_ASSERT_STRING_EQUAL(sc.nodes[0].name, "Shanghai");
    CU_ASSERT_EQUAL(sc.nodes[0].kind, NODE_CITY);
    CU_ASSERT_EQUAL(sc.nodes[0].coastal, 1);
    CU_ASSERT_DOUBLE_EQUAL(sc.nodes[0].population, 24870000, 0);
    CU_ASSERT_EQUAL(sc.nodes[1].region, REGION_WEST);
    CU_ASSERT_EQUAL(sc.nodes[2].kind, NODE_RURAL);
    CU_ASSERT_EQUAL(sc.nodes[2].region, REGION_WEST); /* "west": case-insensitive */
    CU_ASSERT_STRING_EQUAL(sc.nodes[2].name, "Rural West");
    CU_ASSERT_EQUAL(sc.n_sectors, 4);
    CU_ASSERT_STRING_EQUAL(sc.sectors[2].name, "local services");
    CU_ASSERT_EQUAL(sc.sectors[2].tradable, 0);
    CU_ASSERT_EQUAL(sc.sectors[3].min_tier, 3);
    CU_ASSERT_EQUAL(sc.sectors[3].hard_tech, 1);
    CU_ASSERT_DOUBLE_EQUAL(sc.sectors[1].alpha, 0.35, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.sectors[1].export_share, 0.6, 0);
    /* Resolved text: sections, keys, description and the CSV files. */
    CU_ASSERT(strstr(sc.resolved, "\n[firms]\nchi = 0.5\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "start = 2000-06\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "description = the test base\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "; Chengdu,city,West") != NULL);
    CU_ASSERT(strstr(sc.resolved, "; test,manufacturing") != NULL);
    scenario_free(&sc);
    CU_ASSERT(is_empty(&sc));
    scenario_free(&sc); /* twice is harmless */
}

static void test_extends_override(void)
{
    setup();
    struct stat stt;
    char sub[1024];
    tpath(sub, sizeof sub, "sub");
    if (stat(sub, &stt) != 0) CU_ASSERT_FATAL(mkdir(sub, 0700) == 0);
    wfile("child.ini", "; overrides chi and months\nextends = base.ini\n[firms]\nchi = 0.3\n[run]\nmonths = 24\n");
    /* A chain of three; the last one in a subfolder, paths relative to it. */
    wfile("sub/grandchild.ini", "[scenario]\nextends = ../child.ini\ndescription = third in the chain\n"
                                "[firms]\nb_inv = 1.25\n[data]\nnodes = ../nodes.csv\n");
    scenario sc;
    inc_err e = {0};
    inc_status st = load(&sc, "child.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_chi, 0.3, 0);
    CU_ASSERT_EQUAL(sc.p.run_months, 24);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_b_inv, 1.0, 0); /* from base */
    CU_ASSERT_STRING_EQUAL(sc.name, "child");
    CU_ASSERT(strstr(sc.resolved, "description = the test base") != NULL); /* inherited */
    CU_ASSERT(strstr(sc.resolved, "/base.ini\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "/child.ini\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "/base.ini\n") < strstr(sc.resolved, "/child.ini\n")); /* base first */
    scenario_free(&sc);

    st = load(&sc, "sub/grandchild.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_STRING_EQUAL(sc.name, "grandchild");
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_chi, 0.3, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_b_inv, 1.25, 0);
    CU_ASSERT_EQUAL(sc.p.run_months, 24);
    CU_ASSERT(strstr(sc.p.data_nodes, "/sub/../nodes.csv") != NULL);
    CU_ASSERT_EQUAL(sc.n_nodes, 3);
    CU_ASSERT(strstr(sc.resolved, "description = third in the chain") != NULL);
    scenario_free(&sc);
}

static void test_set_override(void)
{
    setup();
    wfile("child.ini", "; overrides chi and months\nextends = base.ini\n[firms]\nchi = 0.3\n[run]\nmonths = 24\n");
    const char *sets[] = {"firms.chi=0.25", " run.months = 12 ", "run.start=2019-01"};
    scenario sc;
    inc_err e = {0};
    inc_status st = load(&sc, "child.ini", sets, 3, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_chi, 0.25, 0);
    CU_ASSERT_EQUAL(sc.p.run_months, 12);
    CU_ASSERT_EQUAL(sc.p.run_start, 12 * 2019);
    CU_ASSERT(strstr(sc.resolved, "; --set firms.chi=0.25\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "\nchi = 0.25\n") != NULL);

    /* scenario_set after load updates p, m and resolved. */
    st = scenario_set(&sc, "bank.r_base=0.12", &e);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.bank_r_base, 0.12, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.m.bank_r_base, pow(1.12, 1.0 / 12) - 1, 1e-15);
    CU_ASSERT(strstr(sc.resolved, "\nr_base = 0.12\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "; --set run.start=2019-01\n; --set bank.r_base=0.12\n") != NULL);
    CU_ASSERT(strstr(sc.resolved, "; Chengdu,city") != NULL); /* data block kept */
    CU_ASSERT_EQUAL(sc.n_nodes, 3);

    /* Changing a table path reloads the table. */
    wfile("nodes_two.csv", "name,kind,region,coastal,lat,lon,population,gdp_per_capita,min_wage,amenity,land_price,"
                           "land_elasticity,migrant_share,source\n"
                           "Wuhan,city,Central,0,30.6,114.3,12000000,135000,2010,0.1,1.2,1.1,0.25,NBS\n"
                           "Rest of Central,rest,central,0,30,113,90000000,60000,1700,0,0.6,2,0.1,NBS\n");
    char a[1200];
    snprintf(a, sizeof a, "data.nodes=%s/nodes_two.csv", tu_tmpdir());
    st = scenario_set(&sc, a, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_EQUAL(sc.n_nodes, 2);
    CU_ASSERT_STRING_EQUAL(sc.nodes[1].name, "Rest of Central");
    CU_ASSERT_EQUAL(sc.nodes[1].kind, NODE_REST);
    CU_ASSERT(strstr(sc.resolved, "; Wuhan,city") != NULL);
    CU_ASSERT(strstr(sc.resolved, "; Chengdu,city") == NULL);
    CU_ASSERT(strstr(sc.resolved, "nodes_two.csv ====") != NULL);
    scenario_free(&sc);
}

static void test_set_relative_path(void)
{
    setup();
    char cwd[1024], dir[1024];
    CU_ASSERT_FATAL(getcwd(cwd, sizeof cwd) != NULL);
    CU_ASSERT_FATAL(chdir(tu_tmpdir()) == 0);
    CU_ASSERT_FATAL(getcwd(dir, sizeof dir) != NULL);
    const char *sets[] = {"data.sectors=./sectors.csv"};
    scenario sc;
    inc_err e = {0};
    inc_status st = scenario_load(&sc, "base.ini", sets, 1, &e); /* relative top path too */
    CU_ASSERT_FATAL(chdir(cwd) == 0);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    char want[1100];
    snprintf(want, sizeof want, "%s/sectors.csv", dir);
    CU_ASSERT_STRING_EQUAL(sc.p.data_sectors, want);
    CU_ASSERT_STRING_EQUAL(sc.path, "base.ini");
    CU_ASSERT_STRING_EQUAL(sc.name, "base");
    scenario_free(&sc);
}

static void test_extends_cycle(void)
{
    setup();
    inc_err e = {0};
    wfile("cyc_a.ini", "extends = cyc_b.ini\n");
    wfile("cyc_b.ini", "; b extends a: a cycle\nextends = cyc_a.ini\n[firms]\nchi = 0.1\n");
    expect_fail("cyc_a.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "cyc_b.ini:2");
    MSG_HAS(e, "cycle");
    MSG_HAS(e, "cyc_a.ini -> ");

    wfile("cyc_self.ini", "\n\nextends = ./cyc_self.ini\n");
    expect_fail("cyc_self.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "cyc_self.ini:3: extends cycle");
}

static void test_extends_depth(void)
{
    setup();
    inc_err e = {0};
    /* deep0 extends deep1 ... deep39 extends base: too deep. */
    for (int i = 0; i < 40; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "deep%d.ini", i);
        if (i < 39)
            snprintf(text, sizeof text, "extends = deep%d.ini\n", i + 1);
        else
            snprintf(text, sizeof text, "extends = base.ini\n");
        wfile(name, text);
    }
    expect_fail("deep0.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "longer than 32");
    /* 31 files plus base fit; 32 plus base do not. */
    scenario sc;
    inc_status st = load(&sc, "deep9.ini", NULL, 0, &e);
    CU_ASSERT_EQUAL(st, INC_OK);
    scenario_free(&sc);
    expect_fail("deep8.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "deep39.ini:1: extends chain longer than 32 files"); /* base would be the 33rd */
}

static void test_unknown_key(void)
{
    setup();
    inc_err e = {0};
    wfile("unk.ini", "extends = base.ini\n[firms]\nchii = 0.3\n");
    expect_fail("unk.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "unk.ini:3: unknown key 'firms.chii' (did you mean 'firms.chi'?)");

    /* The same key under the wrong section. */
    wfile("unk2.ini", "extends = base.ini\n[bank]\nquit_rate = 0.3\n");
    expect_fail("unk2.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "unk2.ini:3");
    MSG_HAS(e, "'bank.quit_rate'");
    MSG_HAS(e, "did you mean 'firms.quit_rate'");

    wfile("unksec.ini", "extends = base.ini\n\n[firm]\nchi = 0.3\n");
    expect_fail("unksec.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "unksec.ini:3: unknown section [firm] (did you mean [firms]?)");

    wfile("unktop.ini", "extend = base.ini\n");
    expect_fail("unktop.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "unktop.ini:1");
    MSG_HAS(e, "did you mean 'extends'");

    wfile("unktop2.ini", "extends = base.ini\nfirms.chi = 0.2\n");
    expect_fail("unktop2.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "unktop2.ini:2");
    MSG_HAS(e, "under [firms]");

    wfile("unkfar.ini", "extends = base.ini\n[firms]\nzzzzzzzzzz = 1\n");
    expect_fail("unkfar.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "unkfar.ini:3: unknown key 'firms.zzzzzzzzzz'");
}

static void test_missing_key(void)
{
    setup();
    inc_err e = {0};
    write_base("nokey.ini", "bank.r_base");
    expect_fail("nokey.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "missing key bank.r_base");
    MSG_HAS(e, "nokey.ini");

    /* Missing in a chain: the message names the base of the chain. */
    wfile("nokey_child.ini", "extends = nokey.ini\n[firms]\nchi = 0.1\n");
    expect_fail("nokey_child.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "bank.r_base");
    MSG_HAS(e, "nokey.ini (the base");
    MSG_HAS(e, "nokey_child.ini");

    /* A --set can supply the missing key. */
    const char *sets[] = {"bank.r_base=0.04"};
    scenario sc;
    CU_ASSERT_EQUAL(load(&sc, "nokey.ini", sets, 1, &e), INC_OK);
    scenario_free(&sc);

    /* Many missing: the first few and a count. */
    wfile("almost_empty.ini", "[firms]\nchi = 0.5\n");
    expect_fail("almost_empty.ini", NULL, 0, INC_ERR_KEY, &e);
    MSG_HAS(e, "missing keys run.start, run.months");
    MSG_HAS(e, "more");
}

static void test_out_of_range(void)
{
    setup();
    inc_err e = {0};
    wfile("range.ini", "extends = base.ini\n[firms]\nchi = 1.5\n");
    expect_fail("range.ini", NULL, 0, INC_ERR_RANGE, &e);
    MSG_HAS(e, "range.ini:3: firms.chi = 1.5 is out of range: accepted [0, 1] (-)");

    wfile("range_int.ini", "extends = base.ini\n[run]\n  months = 0 ; too few\n");
    expect_fail("range_int.ini", NULL, 0, INC_ERR_RANGE, &e);
    MSG_HAS(e, "range_int.ini:3: run.months = 0 is out of range: accepted [1, 1200] (months)");

    wfile("range_month.ini", "extends = base.ini\n[policy]\nstart = 1899-12\n");
    expect_fail("range_month.ini", NULL, 0, INC_ERR_RANGE, &e);
    MSG_HAS(e, "range_month.ini:3: policy.start = 1899-12 is out of range: accepted [1900-01, 2100-12]");

    wfile("range_inf.ini", "extends = base.ini\n[firms]\nchi = inf\n");
    expect_fail("range_inf.ini", NULL, 0, INC_ERR_RANGE, &e);
    MSG_HAS(e, "range_inf.ini:3: firms.chi = inf");

    /* A nonzero value a double cannot hold is refused, not read as 0 or inf. */
    const char *under[] = {"firms.chi=1e-400"};
    expect_fail("base.ini", under, 1, INC_ERR_RANGE, &e);
    CU_ASSERT_STRING_EQUAL(e.msg, "--set firms.chi=1e-400: firms.chi = 1e-400 underflows: a double cannot hold a "
                                  "nonzero number this small (it would become 0): accepted 0 or a real number in "
                                  "[0, 1] of magnitude at least 2.22507e-308 (-)");
    const char *under_neg[] = {"goods.export_growth=-1e-310"}; /* subnormal: precision lost */
    expect_fail("base.ini", under_neg, 1, INC_ERR_RANGE, &e);
    MSG_HAS(e, "goods.export_growth = -1e-310 underflows");
    wfile("range_over.ini", "extends = base.ini\n[entry]\ncost = 1e400\n");
    expect_fail("range_over.ini", NULL, 0, INC_ERR_RANGE, &e);
    MSG_HAS(e, "range_over.ini:3: entry.cost = 1e400 overflows: a double cannot hold a number this large (it would "
               "become inf): accepted a real number in [0, 1e+12] (yuan)");
    const char *zero[] = {"firms.chi=0e-400"}; /* an exact 0 is no underflow */
    scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(&sc, "base.ini", zero, 1, &e), INC_OK);
    CU_ASSERT_EQUAL(sc.p.firms_chi, 0.0);
    scenario_free(&sc);
    const char *big_int[] = {"run.seed=9223372036854775808"};
    expect_fail("base.ini", big_int, 1, INC_ERR_RANGE, &e);
    CU_ASSERT_STRING_EQUAL(e.msg, "--set run.seed=9223372036854775808: run.seed = 9223372036854775808 is out of "
                                  "range: accepted [0, 9223372036854775807] (-)");

    wfile("range_neg.ini", "extends = base.ini\n[goods]\nexport_growth = -0.6\n");
    expect_fail("range_neg.ini", NULL, 0, INC_ERR_RANGE, &e);
    MSG_HAS(e, "accepted [-0.5, 0.5] (share/year)");
}

static void test_malformed(void)
{
    setup();
    inc_err e = {0};
    wfile("mal.ini", "extends = base.ini\n[firms]\nchi = 0.3x\n");
    expect_fail("mal.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "mal.ini:3: firms.chi = '0.3x' is not a number");
    MSG_HAS(e, "[0, 1]");

    wfile("mal_int.ini", "extends = base.ini\n[run]\nmonths = 12.5\n");
    expect_fail("mal_int.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "mal_int.ini:3: run.months = '12.5' is not an integer");

    wfile("mal_month.ini", "extends = base.ini\n[run]\nstart = 2019-13\n");
    expect_fail("mal_month.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "mal_month.ini:3: run.start = '2019-13' is not a month");

    wfile("mal_empty.ini", "extends = base.ini\n[firms]\nchi =\n");
    expect_fail("mal_empty.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "mal_empty.ini:3: firms.chi = ''");

    wfile("mal_line.ini", "extends = base.ini\n[firms]\n# fine\nthis line has no equals sign\n");
    expect_fail("mal_line.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "mal_line.ini:4: malformed line 'this line has no equals sign'");

    wfile("mal_sec.ini", "extends = base.ini\n[firms\nchi = 0.1\n");
    expect_fail("mal_sec.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "mal_sec.ini:2: malformed section header");

    wfile("dup.ini", "extends = base.ini\n[firms]\nchi = 0.1\nchi = 0.2\n");
    expect_fail("dup.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "dup.ini:4: firms.chi is set twice in this file (first on line 3)");
}

static void test_missing_file(void)
{
    setup();
    inc_err e = {0};
    expect_fail("nope.ini", NULL, 0, INC_ERR_IO, &e);
    MSG_HAS(e, "/nope.ini");
    MSG_HAS(e, "No such file");

    wfile("ext_missing.ini", "; base is gone\nextends = gone.ini\n");
    expect_fail("ext_missing.ini", NULL, 0, INC_ERR_IO, &e);
    MSG_HAS(e, "ext_missing.ini:2: extends");
    MSG_HAS(e, "gone.ini");

    const char *sets[] = {"data.nodes=/nonexistent/nodes.csv"};
    expect_fail("base.ini", sets, 1, INC_ERR_IO, &e);
    MSG_HAS(e, "--set data.nodes=/nonexistent/nodes.csv: data.nodes: cannot read '/nonexistent/nodes.csv'");

    /* A CSV named in a file: the message says where it was named. */
    wfile("csv_missing.ini", "extends = base.ini\n[data]\nsectors = missing.csv\n");
    expect_fail("csv_missing.ini", NULL, 0, INC_ERR_IO, &e);
    MSG_HAS(e, "csv_missing.ini:3: data.sectors: cannot read");
    MSG_HAS(e, "/missing.csv");
}

/* Load base.ini with data.KEY=<tmpdir>/<file>. */
static void expect_csv_fail(const char *key, const char *file, inc_status code, inc_err *e)
{
    char a[1200];
    snprintf(a, sizeof a, "data.%s=%s/%s", key, tu_tmpdir(), file);
    const char *sets[] = {a};
    expect_fail("base.ini", sets, 1, code, e);
}

static void test_csv_source(void)
{
    setup();
    inc_err e = {0};
    wfile("sectors_nosrc.csv", "name,alpha,min_tier,rd_share,lambda,exposure,export_share,consumer_share,"
                               "investment_share,procurement_share,employment_share,tradable,hard_tech,agriculture\n"
                               "local services,0.25,0,0.0,0.0,0.0,1,1,1,1,1,0,0,0\n");
    expect_csv_fail("sectors", "sectors_nosrc.csv", INC_ERR_PARSE, &e);
    MSG_HAS(e, "sectors_nosrc.csv:1: missing column 'source'");

    wfile("sectors_emptysrc.csv", SECTORS_HEADER "test,agriculture,0.2,0,0.0,0.01,0.1,0.1,0.2,0.1,0.1,0.3,1,0,1\n"
                                                 ",local services,0.25,0,0,0,0,0.9,0.8,0.9,0.9,0.7,0,0,0\n");
    expect_csv_fail("sectors", "sectors_emptysrc.csv", INC_ERR_PARSE, &e);
    MSG_HAS(e, "sectors_emptysrc.csv:3:1: empty source");

    wfile("nodes_nocol.csv", "# no lat column\nname,kind,region,coastal,lon,population,gdp_per_capita,min_wage,"
                             "amenity,land_price,land_elasticity,migrant_share,source\n");
    expect_csv_fail("nodes", "nodes_nocol.csv", INC_ERR_PARSE, &e);
    MSG_HAS(e, "nodes_nocol.csv:2: missing column 'lat'");
}

static void test_csv_values(void)
{
    setup();
    inc_err e = {0};
    const char *hdr = "name,kind,region,coastal,lat,lon,population,gdp_per_capita,min_wage,amenity,land_price,"
                      "land_elasticity,migrant_share,source\n";
    char text[2048];
    snprintf(text, sizeof text, "# kind is wrong on line 3\n%s"
             "Shanghai,town,East,1,31.23,121.47,24870000,157300,2590,0.5,3.0,0.3,0.4,NBS\n", hdr);
    wfile("nodes_kind.csv", text);
    expect_csv_fail("nodes", "nodes_kind.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_kind.csv:3:2: kind = 'town'");
    MSG_HAS(e, "city, rest or rural");

    snprintf(text, sizeof text, "%sA,city,South,1,31,121,1,1,1,0,1,1,0.4,NBS\n", hdr);
    wfile("nodes_region.csv", text);
    expect_csv_fail("nodes", "nodes_region.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_region.csv:2:3: region = 'South'");
    MSG_HAS(e, "Northeast");

    snprintf(text, sizeof text, "%sA,city,East,1,95,121,1,1,1,0,1,1,0.4,NBS\n", hdr);
    wfile("nodes_lat.csv", text);
    expect_csv_fail("nodes", "nodes_lat.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_lat.csv:2:5: lat = 95 is out of range: accepted [-90, 90]");

    snprintf(text, sizeof text, "%sA,city,East,1,30,121,0,1,1,0,1,1,0.4,NBS\n", hdr);
    wfile("nodes_pop.csv", text);
    expect_csv_fail("nodes", "nodes_pop.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_pop.csv:2:7: population = 0 is out of range: accepted a number > 0 (persons)");

    snprintf(text, sizeof text, "%sA,city,East,2,30,121,1,1,1,0,1,1,0.4,NBS\n", hdr);
    wfile("nodes_coastal.csv", text);
    expect_csv_fail("nodes", "nodes_coastal.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_coastal.csv:2:4: coastal = '2'");

    snprintf(text, sizeof text, "%sA,city,East,1,30,121,1,1,1,0,1,1,0.4,NBS\nA,rest,East,1,30,121,1,1,1,0,1,1,0.4,NBS\n",
             hdr);
    wfile("nodes_dup.csv", text);
    expect_csv_fail("nodes", "nodes_dup.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_dup.csv:3:1: name 'A' is used twice");

    snprintf(text, sizeof text, "%sA,city,East,1,30,121,1,1,1,0,1,1,0.4\n", hdr);
    wfile("nodes_short.csv", text);
    expect_csv_fail("nodes", "nodes_short.csv", INC_ERR_PARSE, &e);
    MSG_HAS(e, "nodes_short.csv:2: 13 fields, but the header on line 1 has 14");

    snprintf(text, sizeof text, "%sA,city,East,1,30,121,1,1,1,0,1,1,0.4,\"NBS\n", hdr);
    wfile("nodes_quote.csv", text);
    expect_csv_fail("nodes", "nodes_quote.csv", INC_ERR_PARSE, &e);
    MSG_HAS(e, "nodes_quote.csv:2: unterminated double quote");

    snprintf(text, sizeof text, "# only a header\n%s", hdr);
    wfile("nodes_none.csv", text);
    expect_csv_fail("nodes", "nodes_none.csv", INC_ERR_PARSE, &e);
    MSG_HAS(e, "nodes_none.csv: no node rows");

    snprintf(text, sizeof text, "%sA,city,East,1,30,121,1,1,1,1e-400,1,1,0.4,NBS\n", hdr);
    wfile("nodes_under.csv", text);
    expect_csv_fail("nodes", "nodes_under.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "nodes_under.csv:2:10: amenity = 1e-400 underflows a double (it would become 0): accepted a finite number");

    wfile("sectors_alpha.csv", SECTORS_HEADER "test,local services,1,0,0,0,0,1,1,1,1,1,0,0,0\n");
    expect_csv_fail("sectors", "sectors_alpha.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "sectors_alpha.csv:2:3: alpha = 1 is out of range: accepted (0, 1)");
}

static void test_csv_shares(void)
{
    setup();
    inc_err e = {0};
    wfile("sectors_sum.csv", SECTORS_HEADER "test,manufacturing,0.35,1,0.02,0.02,0.3,0.6,0.5,0.6,0.5,0.5,1,0,0\n"
                                            "test,local services,0.25,0,0,0,0,0.4,0.4,0.4,0.5,0.5,0,0,0\n");
    expect_csv_fail("sectors", "sectors_sum.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "sectors_sum.csv");
    MSG_HAS(e, "'consumer_share' sums to 0.9 ");

    wfile("sectors_tradable.csv", SECTORS_HEADER "test,manufacturing,0.35,1,0.02,0.02,0.3,1,1,1,1,1,1,0,0\n");
    expect_csv_fail("sectors", "sectors_tradable.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "sectors_tradable.csv: every sector is tradable");

    /* The investment basket (firms' investment, households' housing) is
     * tradable goods: a local sector may not have a share of it. */
    wfile("sectors_invest.csv", SECTORS_HEADER "test,manufacturing,0.35,1,0.02,0.02,0.3,1,0.5,0.5,1,0.5,1,0,0\n"
                                               "test,local services,0.25,0,0,0,0,0,0.5,0.5,0,0.5,0,0,0\n");
    expect_csv_fail("sectors", "sectors_invest.csv", INC_ERR_RANGE, &e);
    MSG_HAS(e, "sector 'local services' has tradable = 0 and investment_share 0.5");
}

static void test_edu_sum(void)
{
    setup();
    inc_err e = {0};
    const char *sets[] = {"init.edu_migrant_0=0.3"};
    expect_fail("base.ini", sets, 1, INC_ERR_RANGE, &e);
    MSG_HAS(e, "init.edu_migrant_0");
    MSG_HAS(e, "init.edu_migrant_3");
    MSG_HAS(e, "1.05");
    const char *sets2[] = {"init.edu_local_0=0.3", "init.edu_local_3=0.2"};
    scenario sc;
    CU_ASSERT_EQUAL(load(&sc, "base.ini", sets2, 2, &e), INC_OK);
    scenario_free(&sc);
}

static void test_set_errors(void)
{
    setup();
    inc_err e = {0};
    const char *s1[] = {"firms.chii=0.3"};
    expect_fail("base.ini", s1, 1, INC_ERR_KEY, &e);
    CU_ASSERT_STRING_EQUAL(e.msg, "--set firms.chii=0.3: unknown key (did you mean 'firms.chi'?)");
    const char *s2[] = {"firms.chi"};
    expect_fail("base.ini", s2, 1, INC_ERR_KEY, &e);
    MSG_HAS(e, "--set firms.chi: expected section.key=value");
    const char *s3[] = {"chi=0.3"};
    expect_fail("base.ini", s3, 1, INC_ERR_KEY, &e);
    MSG_HAS(e, "--set chi=0.3: expected section.key=value");
    const char *s4[] = {"firms.chi=2"};
    expect_fail("base.ini", s4, 1, INC_ERR_RANGE, &e);
    MSG_HAS(e, "--set firms.chi=2: firms.chi = 2 is out of range: accepted [0, 1] (-)");
    const char *s6[] = {"data.nodes=/x\n[evil]"};
    expect_fail("base.ini", s6, 1, INC_ERR_KEY, &e);
    MSG_HAS(e, "control character");
    const char *s7[] = {"data.nodes=/x ;y"};
    expect_fail("base.ini", s7, 1, INC_ERR_PARSE, &e);
    MSG_HAS(e, "--set data.nodes=/x ;y: data.nodes = /x ;y: a path may not contain");
    const char *s5[] = {"run.months=many"};
    expect_fail("base.ini", s5, 1, INC_ERR_PARSE, &e);
    MSG_HAS(e, "--set run.months=many: run.months = 'many' is not an integer");

    /* A failed scenario_set leaves the scenario as it was. */
    scenario sc;
    CU_ASSERT_EQUAL_FATAL(load(&sc, "base.ini", NULL, 0, &e), INC_OK);
    char *before = strdup(sc.resolved);
    sc_params p = sc.p;
    CU_ASSERT_EQUAL(scenario_set(&sc, "firms.chi=7", &e), INC_ERR_RANGE);
    MSG_HAS(e, "--set firms.chi=7: firms.chi = 7 is out of range");
    CU_ASSERT_EQUAL(scenario_set(&sc, "firms.chii=0.1", &e), INC_ERR_KEY);
    CU_ASSERT_STRING_EQUAL(e.msg, "--set firms.chii=0.1: unknown key (did you mean 'firms.chi'?)");
    CU_ASSERT_EQUAL(scenario_set(&sc, "init.edu_local_1=0.5", &e), INC_ERR_RANGE);
    MSG_HAS(e, "init.edu_local_0");
    CU_ASSERT_EQUAL(scenario_set(&sc, "data.sectors=/nonexistent.csv", &e), INC_ERR_IO);
    CU_ASSERT_STRING_EQUAL(sc.resolved, before);
    CU_ASSERT(memcmp(&p, &sc.p, sizeof p) == 0);
    CU_ASSERT_EQUAL(sc.n_sectors, 4);
    free(before);
    scenario_free(&sc);
    scenario empty = {0};
    CU_ASSERT_NOT_EQUAL(scenario_set(&empty, "firms.chi=0.1", &e), INC_OK);
}

/* A REAL is never converted, whatever its unit; a REAL in "share/year" would
 * be an annual rate that forgot its type (RATE_Y). */
static void check_monthly_REAL(const scenario *sc, double p, double m, const char *unit, int *converted)
{
    (void)sc, (void)converted;
    CU_ASSERT(memcmp(&m, &p, sizeof m) == 0);
    if (!strcmp(unit, "share/year")) {
        fprintf(stderr, "\n  a REAL parameter has unit share/year: make it RATE_Y");
        CU_FAIL("REAL with unit share/year");
    }
}
/* A RATE_Y is converted to (1+x)^(1/12)-1, and its unit says so. */
static void check_monthly_RATE_Y(const scenario *sc, double p, double m, const char *unit, int *converted)
{
    (void)sc;
    CU_ASSERT_DOUBLE_EQUAL(m, pow(1 + p, 1.0 / 12) - 1, 1e-15);
    CU_ASSERT_STRING_EQUAL(unit, "share/year");
    (*converted)++;
}
static void check_monthly_INT(const scenario *sc, int64_t p, int64_t m, const char *u, int *c)
{
    (void)sc, (void)u, (void)c;
    CU_ASSERT_EQUAL(p, m);
}
static void check_monthly_MONTH(const scenario *sc, int p, int m, const char *u, int *c)
{
    (void)sc, (void)u, (void)c;
    CU_ASSERT_EQUAL(p, m);
}
static void check_monthly_PATH(const scenario *sc, const char *p, const char *m, const char *u, int *c)
{
    (void)sc, (void)u, (void)c;
    CU_ASSERT_STRING_EQUAL(p, m);
}

static void check_monthly_SCHED(const scenario *sc, int p, int m, const char *u, int *c)
{
    check_monthly_MONTH(sc, p, m, u, c);
}
static void check_monthly_NODES(const scenario *sc, const char *p, const char *m, const char *u, int *c)
{
    check_monthly_PATH(sc, p, m, u, c);
}
static void check_monthly_SECTORS(const scenario *sc, const char *p, const char *m, const char *u, int *c)
{
    check_monthly_PATH(sc, p, m, u, c);
}

static void test_monthly(void)
{
    setup();
    const char *sets[] = {"firms.delta=0.096", "productivity.g_frontier=-0.05", "firms.quit_rate=0.02"};
    scenario sc;
    inc_err e = {0};
    CU_ASSERT_EQUAL_FATAL(load(&sc, "base.ini", sets, 3, &e), INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_delta, 0.096, 0);
    CU_ASSERT_DOUBLE_EQUAL(sc.m.firms_delta, pow(1.096, 1.0 / 12) - 1, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(pow(1 + sc.m.firms_delta, 12), 1.096, 1e-13);
    CU_ASSERT_DOUBLE_EQUAL(sc.m.productivity_g_frontier, pow(0.95, 1.0 / 12) - 1, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sc.m.bank_r_deposit, pow(1 + sc.p.bank_r_deposit, 1.0 / 12) - 1, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(sc.m.goods_export_growth, pow(1 + sc.p.goods_export_growth, 1.0 / 12) - 1, 1e-15);
    /* Every RATE_Y is converted, everything else copied. */
    int converted = 0;
#define PARAM(sec, key, type, lo, hi, unit, desc) check_monthly_##type(&sc, sc.p.sec##_##key, sc.m.sec##_##key, unit, &converted);
#include "params.def"
#undef PARAM
    CU_ASSERT(converted >= 3);
    CU_ASSERT_EQUAL(sc.m.firms_quit_rate, 0.02); /* share/month */
    CU_ASSERT_EQUAL(sc.m.firms_chi, sc.p.firms_chi);
    CU_ASSERT_EQUAL(sc.m.run_months, sc.p.run_months);
    CU_ASSERT_STRING_EQUAL(sc.m.data_nodes, sc.p.data_nodes);
    scenario_free(&sc);
}

static int eq_REAL(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }
static int eq_RATE_Y(double a, double b) { return eq_REAL(a, b); }
static int eq_INT(int64_t a, int64_t b) { return a == b; }
static int eq_MONTH(int a, int b) { return a == b; }
static int eq_PATH(const char *a, const char *b) { return !strcmp(a, b); }
static int eq_SCHED(int a, int b) { return a == b; }
static int eq_NODES(const char *a, const char *b) { return !strcmp(a, b); }
static int eq_SECTORS(const char *a, const char *b) { return !strcmp(a, b); }

static int params_equal(const sc_params *a, const sc_params *b)
{
    int ok = 1;
#define PARAM(sec, key, type, lo, hi, unit, desc)                    \
    if (!eq_##type(a->sec##_##key, b->sec##_##key)) {                \
        fprintf(stderr, "\n  %s.%s differs after the round trip", #sec, #key); \
        ok = 0;                                                      \
    }
#include "params.def"
#undef PARAM
    return ok;
}

static void test_round_trip(void)
{
    setup();
    wfile("child.ini", "; overrides chi and months\nextends = base.ini\n[firms]\nchi = 0.3\n[run]\nmonths = 24\n");
    const char *sets[] = {"firms.chi=0.1234567890123456789", "firms.delta=0.1", "scale.labour_force=7.4e8",
                          "bank.r_base=0.0435"};
    scenario a, b;
    inc_err e = {0};
    CU_ASSERT_EQUAL_FATAL(load(&a, "child.ini", sets, 4, &e), INC_OK);
    CU_ASSERT_EQUAL_FATAL(scenario_set(&a, "goods.kappa=0.3333333333333333", &e), INC_OK);
    /* Read back from another folder: paths are absolute. */
    char dir[1024];
    tpath(dir, sizeof dir, "rt");
    struct stat stt;
    if (stat(dir, &stt) != 0) CU_ASSERT_FATAL(mkdir(dir, 0700) == 0);
    wfile("rt/resolved.ini", a.resolved);
    inc_status st = load(&b, "rt/resolved.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT(params_equal(&a.p, &b.p));
    CU_ASSERT(params_equal(&a.m, &b.m));
    CU_ASSERT_EQUAL(a.n_nodes, b.n_nodes);
    CU_ASSERT_EQUAL(a.n_sectors, b.n_sectors);
    CU_ASSERT(memcmp(a.nodes, b.nodes, (size_t)a.n_nodes * sizeof *a.nodes) == 0);
    CU_ASSERT(memcmp(a.sectors, b.sectors, (size_t)a.n_sectors * sizeof *a.sectors) == 0);
    /* Everything after the header is identical. */
    const char *ka = strstr(a.resolved, "\n[run]"), *kb = strstr(b.resolved, "\n[run]");
    CU_ASSERT_FATAL(ka && kb);
    CU_ASSERT_STRING_EQUAL(ka, kb);
    CU_ASSERT(strstr(b.resolved, "description = the test base") != NULL);
    CU_ASSERT(strstr(a.resolved, "\nlabour_force = 740000000\n") != NULL);
    CU_ASSERT_STRING_EQUAL(b.name, "resolved");
    scenario_free(&a);
    scenario_free(&b);
}

static void test_long_lines(void)
{
    setup();
    /* Lines longer than inih's 200-byte buffer: a long description, a long
     * path with an inline comment, and a long comment. */
    char d1[1024], d2[1024];
    char seg[121];
    memset(seg, 'd', 120);
    seg[120] = '\0';
    snprintf(d1, sizeof d1, "%s/%s", tu_tmpdir(), seg);
    snprintf(d2, sizeof d2, "%s/%s/%s", tu_tmpdir(), seg, seg);
    struct stat stt;
    if (stat(d1, &stt) != 0) CU_ASSERT_FATAL(mkdir(d1, 0700) == 0);
    if (stat(d2, &stt) != 0) CU_ASSERT_FATAL(mkdir(d2, 0700) == 0);
    char csv[1100];
    snprintf(csv, sizeof csv, "%s/%s/nodes.csv", seg, seg);
    wfile(csv, NODES_CSV);
    char text[4096], desc[400], comment[400];
    memset(desc, 'x', 300);
    desc[300] = '\0';
    memset(comment, 'c', 300);
    comment[300] = '\0';
    snprintf(text, sizeof text, "extends = base.ini\ndescription = %s\n; %s\n[data]\nnodes = %s ; a comment\n", desc,
             comment, csv);
    wfile("long.ini", text);
    scenario sc;
    inc_err e = {0};
    inc_status st = load(&sc, "long.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT(strstr(sc.p.data_nodes, csv) != NULL);
    CU_ASSERT(strstr(sc.p.data_nodes, "comment") == NULL);
    CU_ASSERT_EQUAL(sc.n_nodes, 3);
    char want[500];
    snprintf(want, sizeof want, "description = %s\n", desc);
    CU_ASSERT(strstr(sc.resolved, want) != NULL);
    /* ... and the resolved text, with its long lines, reads back. */
    wfile("long_resolved.ini", sc.resolved);
    scenario b;
    CU_ASSERT_EQUAL(load(&b, "long_resolved.ini", NULL, 0, &e), INC_OK);
    CU_ASSERT_STRING_EQUAL(b.p.data_nodes, sc.p.data_nodes);
    scenario_free(&b);
    scenario_free(&sc);
    /* A long line with an error still names its line. */
    snprintf(text, sizeof text, "extends = base.ini\n[firms]\nchi = %s\n", desc);
    wfile("long_bad.ini", text);
    expect_fail("long_bad.ini", NULL, 0, INC_ERR_PARSE, &e);
    MSG_HAS(e, "long_bad.ini:3: firms.chi = 'xxxx");
}

static void test_two_scenarios(void)
{
    setup();
    wfile("child.ini", "; overrides chi and months\nextends = base.ini\n[firms]\nchi = 0.3\n[run]\nmonths = 24\n");
    scenario a, b;
    inc_err e = {0};
    CU_ASSERT_EQUAL_FATAL(load(&a, "base.ini", NULL, 0, &e), INC_OK);
    CU_ASSERT_EQUAL_FATAL(load(&b, "child.ini", NULL, 0, &e), INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(a.p.firms_chi, 0.5, 0);
    CU_ASSERT_DOUBLE_EQUAL(b.p.firms_chi, 0.3, 0);
    CU_ASSERT_STRING_EQUAL(a.name, "base");
    CU_ASSERT_STRING_EQUAL(b.name, "child");
    CU_ASSERT_EQUAL(scenario_set(&a, "firms.chi=0.7", &e), INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(b.p.firms_chi, 0.3, 0);
    scenario_free(&a);
    CU_ASSERT_STRING_EQUAL(b.nodes[0].name, "Shanghai");
    CU_ASSERT(strstr(b.resolved, "chi = 0.3") != NULL);
    scenario_free(&b);
}

static void test_month(void)
{
    CU_ASSERT_EQUAL(month_parse("2019-01"), 12 * 2019);
    CU_ASSERT_EQUAL(month_parse("2019-12"), 12 * 2019 + 11);
    CU_ASSERT_EQUAL(month_parse("0000-01"), 0);
    CU_ASSERT_EQUAL(month_parse("9999-12"), 12 * 9999 + 11);
    CU_ASSERT_EQUAL(month_parse("2019-00"), -1);
    CU_ASSERT_EQUAL(month_parse("2019-13"), -1);
    CU_ASSERT_EQUAL(month_parse("2019-1"), -1);
    CU_ASSERT_EQUAL(month_parse("19-01"), -1);
    CU_ASSERT_EQUAL(month_parse("2019-01x"), -1);
    CU_ASSERT_EQUAL(month_parse("2019/01"), -1);
    CU_ASSERT_EQUAL(month_parse("-019-01"), -1);
    CU_ASSERT_EQUAL(month_parse(" 2019-01"), -1);
    CU_ASSERT_EQUAL(month_parse(""), -1);
    CU_ASSERT_EQUAL(month_parse(NULL), -1);
    char buf[8];
    month_format(12 * 2019, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2019-01");
    month_format(12 * 2035 + 11, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "2035-12");
    month_format(0, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0000-01");
    for (int m = 0; m < 12 * 2200; m += 7) {
        month_format(m, buf, sizeof buf);
        CU_ASSERT_EQUAL(month_parse(buf), m);
    }
    month_format(-1, buf, sizeof buf);
    CU_ASSERT_EQUAL(month_parse(buf), -1);
    char small[5];
    month_format(12 * 2019, small, sizeof small);
    CU_ASSERT_STRING_EQUAL(small, "2019");
}

/* Lists of names are checked against the tables; policy dates against the
 * run; both errors name the key and where it was set. */
static void test_lists_and_dates(void)
{
    setup();
    inc_err e = {0};
    scenario sc;
    /* Names from the fixture tables (NODES_CSV, SECTORS_CSV). */
    const char *ok[] = {"incentives.sectors=semiconductors, manufacturing"};
    inc_status st = load(&sc, "base.ini", ok, 1, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    uint8_t mask[SC_MAX_SECTORS];
    CU_ASSERT_EQUAL(scenario_sectors_mask(&sc, sc.p.incentives_sectors, mask), 2);
    int semi = -1;
    for (int s = 0; s < sc.n_sectors; s++)
        if (!strcmp(sc.sectors[s].name, "semiconductors")) semi = s;
    CU_ASSERT_FATAL(semi >= 0);
    CU_ASSERT_EQUAL(mask[semi], 1);
    CU_ASSERT_EQUAL(scenario_sectors_mask(&sc, "none", mask), 0);
    CU_ASSERT_EQUAL(scenario_sectors_mask(&sc, "quantum", mask), -1);
    scenario_free(&sc);

    const char *bad[] = {"incentives.sectors=semiconductors, semiconductor"};
    expect_fail("base.ini", bad, 1, INC_ERR_KEY, &e);
    CU_ASSERT(strstr(e.msg, "incentives.sectors") != NULL);
    CU_ASSERT(strstr(e.msg, "'semiconductor' is not a sector") != NULL);
    CU_ASSERT(strstr(e.msg, "did you mean 'semiconductors'") != NULL);

    /* In a file: the message names the file and line. */
    wfile("badlist.ini", "extends = base.ini\n[incentives]\nnodes = Atlantis\n");
    expect_fail("badlist.ini", NULL, 0, INC_ERR_KEY, &e);
    CU_ASSERT(strstr(e.msg, "badlist.ini:3") != NULL);
    CU_ASSERT(strstr(e.msg, "'Atlantis' is not a node") != NULL);

    /* A policy date outside the run (the generated run is 2000-06 + 600
     * months) is an error when its policy is on (the generated base has
     * sanctions.level > 0), and ignored when it is off. */
    const char *late[] = {"sanctions.level=0.5", "sanctions.start=2099-01", "sanctions.full=2099-02"};
    expect_fail("base.ini", late, 3, INC_ERR_RANGE, &e);
    const char *late_off[] = {"sanctions.start=2099-01", "sanctions.full=2099-02"};
    CU_ASSERT_EQUAL(load(&sc, "base.ini", late_off, 2, &e), INC_OK);
    scenario_free(&sc);
    CU_ASSERT(strstr(e.msg, "sanctions.start = 2099-01 is outside the run") != NULL);
    CU_ASSERT(strstr(e.msg, "2000-06 to 2050-05") != NULL);
    wfile("early.ini", "extends = base.ini\n[policy]\nstart = 1999-12\n[little_giants]\ncount = 10\n");
    expect_fail("early.ini", NULL, 0, INC_ERR_RANGE, &e);
    CU_ASSERT(strstr(e.msg, "early.ini:3") != NULL);
    CU_ASSERT(strstr(e.msg, "policy.start") != NULL);
    /* Shortening the run can push a date out of it. */
    const char *shorter[] = {"run.months=1"};
    CU_ASSERT_EQUAL(load(&sc, "base.ini", shorter, 1, &e), INC_OK);
    scenario_free(&sc);
    wfile("inside.ini", "extends = base.ini\n[sanctions]\nstart = 2001-01\nfull = 2001-02\nlevel = 1\n");
    expect_fail("inside.ini", shorter, 1, INC_ERR_RANGE, &e);
    CU_ASSERT(strstr(e.msg, "inside.ini:3: sanctions.start") != NULL);
    /* The end of the ramp may lie beyond the run (a short run of a scenario). */
    wfile("ramp.ini", "extends = base.ini\n[sanctions]\nfull = 2001-02\nlevel = 1\n");
    CU_ASSERT_EQUAL(load(&sc, "ramp.ini", shorter, 1, &e), INC_OK);
    scenario_free(&sc);
    const char *before[] = {"sanctions.level=1", "sanctions.start=2000-07", "sanctions.full=2000-06"};
    expect_fail("base.ini", before, 3, INC_ERR_RANGE, &e);
    CU_ASSERT(strstr(e.msg, "sanctions.full = 2000-06 is before sanctions.start = 2000-07") != NULL);
}

static void test_print_params(void)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    CU_ASSERT_FATAL(f != NULL);
    params_print_table(f);
    fclose(f);
    const char *head = "| key | unit | range | description |\n|---|---|---|---|\n";
    CU_ASSERT(strncmp(text, head, strlen(head)) == 0);
    CU_ASSERT(strstr(text, "\n| firms.chi | - | [0, 1] | adaptive weight") != NULL);
    CU_ASSERT(strstr(text, "\n| run.start | YYYY-MM | [1900-01, 2100-12] | first simulated month |\n") != NULL);
    CU_ASSERT(strstr(text, "\n| run.months | months | [1, 1200] |") != NULL);
    int lines = 0, params = 0;
    for (const char *c = text; *c; c++) lines += *c == '\n';
#define PARAM(sec, key, type, lo, hi, unit, desc) params++;
#include "params.def"
#undef PARAM
    CU_ASSERT_EQUAL(lines, params + 2);
    free(text);
}

static void test_scenario_section(void)
{
    setup();
    wfile("sec.ini", "; keys in a [scenario] section and a UTF-8 BOM-free file with CRLF\r\n"
                     "[firms]\r\nchi = 0.2\r\n[scenario]\r\ndescription = crlf file\r\nextends = base.ini\r\n");
    scenario sc;
    inc_err e = {0};
    inc_status st = load(&sc, "sec.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_chi, 0.2, 0);
    CU_ASSERT(strstr(sc.resolved, "description = crlf file\n") != NULL);
    scenario_free(&sc);
    /* A UTF-8 byte order mark is ignored. */
    wfile("bom.ini", "\xEF\xBB\xBF" "extends = base.ini\n[firms]\nchi = 0.4\n");
    st = load(&sc, "bom.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    CU_ASSERT_DOUBLE_EQUAL(sc.p.firms_chi, 0.4, 0);
    scenario_free(&sc);
}

/* tables_min_workers agrees with world_init's placement of worker agents on
 * the baseline's node table: at the minimum every node has an agent, one
 * fewer leaves a node empty. */
static void test_min_workers(void)
{
    scenario sc;
    inc_err e = {0};
    inc_status st = scenario_load(&sc, "scenarios/baseline.ini", NULL, 0, &e);
    if (st) fprintf(stderr, "\n  %s\n", e.msg);
    CU_ASSERT_EQUAL_FATAL(st, INC_OK);
    int least = -1;
    int64_t min = tables_min_workers(sc.nodes, sc.n_nodes, &least);
    CU_ASSERT_FATAL(least >= 0 && least < sc.n_nodes);
    for (int n = 0; n < sc.n_nodes; n++) CU_ASSERT(sc.nodes[n].population >= sc.nodes[least].population);
    CU_ASSERT(min >= sc.n_nodes);
    for (int64_t w = min - 1; w <= min; w++) {
        world wd;
        st = world_init(&wd, &sc, 1, w, &e);
        if (st) fprintf(stderr, "\n  %s\n", e.msg);
        CU_ASSERT_EQUAL_FATAL(st, INC_OK);
        int64_t *count = calloc((size_t)sc.n_nodes, sizeof *count);
        CU_ASSERT_FATAL(count != NULL);
        for (size_t i = 0; i < wd.wk.n; i++) count[wd.wk.node[i]]++;
        int empty = 0;
        for (int n = 0; n < sc.n_nodes; n++) empty += count[n] == 0;
        if (w == min) CU_ASSERT_EQUAL(empty, 0);
        if (w < min) CU_ASSERT(empty > 0);
        free(count);
        world_free(&wd);
    }
    /* And every count from the minimum up to where each node's share alone
     * gives it an agent leaves no node empty. */
    double pop[SC_MAX_NODES], sum = 0;
    int64_t per[SC_MAX_NODES];
    for (int n = 0; n < sc.n_nodes; n++) sum += pop[n] = sc.nodes[n].population;
    for (int64_t w = min; w <= (int64_t)(sum / pop[least]) + 2; w++) {
        tables_apportion(w, pop, sc.n_nodes, per);
        int64_t tot = 0, zero = 0;
        for (int n = 0; n < sc.n_nodes; n++) { tot += per[n]; zero += per[n] == 0; }
        CU_ASSERT_EQUAL(tot, w);
        CU_ASSERT_EQUAL(zero, 0);
    }
    scenario_free(&sc);
}

int main(void)
{
    static const tu_test tests[] = {
        {"valid load", test_valid_load},
        {"extends override", test_extends_override},
        {"--set override and scenario_set", test_set_override},
        {"--set relative path against cwd", test_set_relative_path},
        {"extends cycle", test_extends_cycle},
        {"extends depth", test_extends_depth},
        {"unknown key and section", test_unknown_key},
        {"missing key", test_missing_key},
        {"out of range", test_out_of_range},
        {"malformed values and lines", test_malformed},
        {"missing files", test_missing_file},
        {"CSV source and columns", test_csv_source},
        {"CSV values", test_csv_values},
        {"CSV shares", test_csv_shares},
        {"education shares sum", test_edu_sum},
        {"--set errors", test_set_errors},
        {"monthly conversion", test_monthly},
        {"resolved round trip", test_round_trip},
        {"long lines", test_long_lines},
        {"two scenarios", test_two_scenarios},
        {"months", test_month},
        {"lists of names and policy dates", test_lists_and_dates},
        {"parameter table", test_print_params},
        {"fewest worker agents for every node", test_min_workers},
        {"[scenario] section and CRLF", test_scenario_section},
        {NULL, NULL},
    };
    return tu_run_suite("scenario", tests);
}
