/* The resolver's configuration, made in code instead of read from
 * /etc/resolv.conf and /etc/hosts (dns_resconf_local and dns_hosts_local
 * would open those files): one nameserver, no search domains, no hosts
 * table, no cache. The same settings on capOS and on Linux, so the two
 * runs ask the same questions. */
#include <string.h>

#include "demo.h"

struct dns_resolver *open_resolver(const struct options *o, int *error)
{
	struct dns_resolv_conf *conf;
	struct dns_hosts *hosts;
	struct dns_hints *hints;
	struct dns_resolver *R;

	/* dns_resconf_open fills in defaults only; it reads no file. */
	if (!(conf = dns_resconf_open(error)))
		return NULL;
	memset(conf->nameserver, 0, sizeof conf->nameserver);
	memcpy(&conf->nameserver[0], &o->server, sizeof o->server);
	/* The search list dns_resconf_open derives from the host name would
	 * differ between machines (capOS's is "capos", with no domain);
	 * names are looked up as given. */
	memset(conf->search, 0, sizeof conf->search);
	/* "b": ask the nameserver (bind) only, never a hosts file. */
	memset(conf->lookup, 0, sizeof conf->lookup);
	conf->lookup[0] = 'b';
	conf->options.timeout = o->timeout;
	conf->options.attempts = o->attempts;
	/* Queries leave from the nameserver's family, any local address. */
	memset(&conf->iface, 0, sizeof conf->iface);
	conf->iface.ss_family = o->server.ss_family;

	/* An empty hosts table: no /etc/hosts. */
	if (!(hosts = dns_hosts_open(error))) {
		dns_resconf_close(conf);
		return NULL;
	}
	/* Hints for the root zone from conf's one nameserver: it is asked
	 * for every name (a stub resolver, recursion left to the server). */
	if (!(hints = dns_hints_local(conf, error))) {
		dns_hosts_close(hosts);
		dns_resconf_close(conf);
		return NULL;
	}
	/* dns_res_open takes its own references, so ours are dropped either
	 * way; the resolver frees them when it is closed. */
	R = dns_res_open(conf, hosts, hints, NULL, dns_opts(), error);
	dns_hints_close(hints);
	dns_hosts_close(hosts);
	dns_resconf_close(conf);
	return R;
}
