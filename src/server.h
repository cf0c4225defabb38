/*
 * server.h - the Z39.50/SRU server back end (server.c) used by
 * `bienmuc serve` (cmd-serve.c).
 */
#ifndef BIENMUC_SERVER_H
#define BIENMUC_SERVER_H

#define BM_SERVER_VERSION "0.1.0"

struct server_conf {
	const char *db;          /* catalogue path */
	const char *dbname;      /* Z39.50/SRU database name ("catalog") */
	const char *users;       /* users file */
	int readonly;            /* refuse every update */
	int estimate;            /* estimated hit counts for broad searches on a
	                            large catalogue (cat_search_opts.estimate) */
};

/* Set before server_run(); the pointer must stay valid. */
void server_set_conf(const struct server_conf *c);
/* The CQL -> Bib-1 index map (yaz pqf.properties format). */
const char *server_cql_properties(void);
/* Run yaz's statserv_main with a GFS argv; returns its exit status. */
int server_run(int argc, char **argv);

#endif
