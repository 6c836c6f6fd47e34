/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr for vbusd and vbusctl: "prog: message". When stderr
 * is connected to the systemd journal (JOURNAL_STREAM matches it), each
 * line also carries a "<N>" priority prefix that journald understands.
 */
#ifndef VBUS_LOG_H
#define VBUS_LOG_H

#include <syslog.h>

/* vbus_log.c APIs: */
void vbus_log_init(const char *prog, int verbosity);
int vbus_log_verbosity(void);
void vbus_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define vbus_err(...)	vbus_log(LOG_ERR, __VA_ARGS__)
#define vbus_warn(...)	vbus_log(LOG_WARNING, __VA_ARGS__)
#define vbus_info(...)	vbus_log(LOG_INFO, __VA_ARGS__)
#define vbus_dbg(...)	vbus_log(LOG_DEBUG, __VA_ARGS__)

#endif /* VBUS_LOG_H */
