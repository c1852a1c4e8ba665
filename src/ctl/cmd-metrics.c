/*
 * metrics — the daemon's Prometheus page, GET http://<[daemon] http>/metrics,
 * printed as it comes (text format 0.0.4; --json does not apply).
 */
#include <stdio.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "ctl.h"

static int	metrics_exec(struct ctl *, const struct ctl_cmd *, int,
		    char **);

const struct ctl_cmd cmd_metrics = { "metrics", "", metrics_exec };

static int
metrics_exec(struct ctl *ctl, const struct ctl_cmd *cmd, int argc,
    char **argv)
{
	nng_url		*url = NULL;
	nng_http_client	*cli = NULL;
	nng_http_req	*req = NULL;
	nng_http_res	*res = NULL;
	nng_aio		*aio = NULL;
	char		 text[300];
	void		*body;
	size_t		 len;
	uint16_t	 status;
	int		 rv, ret = CTL_UNREACHABLE;

	if ((rv = ctl_no_options(cmd, &argc, &argv)) != 0)
		return rv;
	if (argc > 0)
		return ctl_usage(cmd);
	if ((rv = ctl_connect(ctl)) != CTL_OK)
		return rv;
	if (fo_http(ctl->client)[0] == '\0') {
		ctl_warnx("metrics: the daemon serves no HTTP ([daemon] http "
		    "is empty in its configuration)");
		return CTL_UNREACHABLE;
	}
	snprintf(text, sizeof(text), "http://%s/metrics", fo_http(ctl->client));
	if ((rv = nng_url_parse(&url, text)) != 0 ||
	    (rv = nng_http_client_alloc(&cli, url)) != 0 ||
	    (rv = nng_http_req_alloc(&req, url)) != 0 ||
	    (rv = nng_http_res_alloc(&res)) != 0 ||
	    (rv = nng_aio_alloc(&aio, NULL, NULL)) != 0) {
		ctl_warnx("metrics: %s: %s", text, nng_strerror(rv));
		goto out;
	}
	nng_aio_set_timeout(aio, ctl->timeout_ms < 0 ? NNG_DURATION_INFINITE :
	    ctl->timeout_ms);
	nng_http_client_transact(cli, req, res, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0) {
		ctl_warnx("cannot reach fastops-queued at %s: %s", text,
		    nng_strerror(rv));
		goto out;
	}
	status = nng_http_res_get_status(res);
	nng_http_res_get_data(res, &body, &len);
	if (status != 200) {
		ctl_warnx("metrics: %s: HTTP %u %s", text, status,
		    nng_http_res_get_reason(res));
		ret = CTL_REFUSED;
		goto out;
	}
	fwrite(body, 1, len, stdout);
	ret = CTL_OK;
out:
	if (aio != NULL)
		nng_aio_free(aio);
	if (res != NULL)
		nng_http_res_free(res);
	if (req != NULL)
		nng_http_req_free(req);
	if (cli != NULL)
		nng_http_client_free(cli);
	if (url != NULL)
		nng_url_free(url);
	return ret;
}
