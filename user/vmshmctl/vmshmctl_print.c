// SPDX-License-Identifier: GPL-2.0
/*
 * vmshmctl output: each object is printed once through json_print, which
 * writes it as a table row or as a JSON object.
 *
 * JSON layout: numbers are decimal but for "mode", a string in octal with
 * a leading 0 ("0640"), and a mapping's "start" and "end", strings in hex
 * with "0x", as /proc/vmshm and the tables print them and as YNL's cli.py
 * prints an attribute with display-hint: hex.
 *   list     {"regions": [REGION...], "dump_interrupted": BOOL}
 *   show     {"region": REGION, "mappings": [MAPPING...]}
 *   stats    {"regions": N, "max_regions": N, ...}
 *   monitor  {"event": "created", "id": N, "name": "...", "pid": N}
 *            one object per line
 */
#include <ctype.h>
#include <stdio.h>
#include <sys/mman.h>

#include "json_print.h"
#include "util.h"
#include "vmshmctl.h"

static const char *const region_flag_names[] = {
	/* VMSHM_REGION_F_*, from bit 0 */
	"anon", "transient", "unlinked", "huge", "locked",
};

static void print_region_header(void)
{
	if (is_json_context())
		return;
	printf("%-24s %6s %4s %12s %9s %9s %9s %8s %8s %7s %7s %6s %6s %s\n",
	       "NAME", "ID", "MODE", "SIZE", "RESIDENT", "SWAPPED", "HUGE",
	       "MAPPINGS", "ATTACHED", "CPID", "LPID", "UID", "GID", "FLAGS");
}

/* The table row, or a JSON object with every counter. */
static void print_region(const struct vmshm_nl_region *r, const char *key)
{
	open_json_object(key);
	print_string(PRINT_JSON, "name", NULL, r->name);
	print_string(PRINT_FP, NULL, "%-24s", r->name[0] ? r->name : "(anon)");
	print_u64(PRINT_ANY, "id", " %6llu", r->id);
	print_mode(PRINT_ANY, "mode", " %4s", r->mode);
	print_u64(PRINT_ANY, "size", " %12llu", r->size);
	print_u64(PRINT_ANY, "resident", " %9llu", r->resident);
	print_u64(PRINT_ANY, "swapped", " %9llu", r->swapped);
	print_u64(PRINT_ANY, "huge", " %9llu", r->huge);
	print_u64(PRINT_ANY, "mappings", " %8llu", r->mappings);
	print_u64(PRINT_ANY, "attached", " %8llu", r->attached);
	print_u64(PRINT_ANY, "cpid", " %7llu", r->cpid);
	print_u64(PRINT_ANY, "lpid", " %7llu", r->lpid);
	print_u64(PRINT_ANY, "uid", " %6llu", r->uid);
	print_u64(PRINT_ANY, "gid", " %6llu ", r->gid);
	print_u64(PRINT_JSON, "faults", NULL, r->faults);
	print_u64(PRINT_JSON, "majflt", NULL, r->majflt);
	print_u64(PRINT_JSON, "waits", NULL, r->waits);
	print_u64(PRINT_JSON, "wakes", NULL, r->wakes);
	print_u64(PRINT_JSON, "timeouts", NULL, r->timeouts);
	print_flags(PRINT_ANY, "flags", r->flags, region_flag_names,
		    ARRAY_SIZE(region_flag_names));
	close_json_object();
	print_nl();
}

void print_region_list(const struct region_list *list)
{
	size_t i;

	print_region_header();
	open_json_object(NULL);
	open_json_array("regions");
	for (i = 0; i < list->n; i++)
		print_region(&list->v[i], NULL);
	close_json_array();
	print_bool(PRINT_JSON, "dump_interrupted", NULL, list->interrupted);
	close_json_object();
}

void print_show_begin(const struct vmshm_nl_region *r)
{
	print_region_header();
	open_json_object(NULL);
	print_region(r, "region");
	if (!is_json_context())
		printf("faults %llu  majflt %llu  waits %llu  wakes %llu  timeouts %llu\n\n"
		       "%7s %-16s %-18s %-18s %4s %9s %10s %10s\n",
		       (unsigned long long)r->faults,
		       (unsigned long long)r->majflt,
		       (unsigned long long)r->waits,
		       (unsigned long long)r->wakes,
		       (unsigned long long)r->timeouts,
		       "PID", "COMM", "START", "END", "PROT", "RESIDENT",
		       "FAULTS", "MAJFLT");
	open_json_array("mappings");
}

/* The command name for a table: "-" when unknown, no control bytes. */
static void printable_comm(char *dst, const char *comm, size_t size)
{
	size_t i;

	for (i = 0; comm[i] && i < size - 1; i++)
		dst[i] = isprint((unsigned char)comm[i]) ? comm[i] : '?';
	dst[i] = '\0';
	if (!i)
		snprintf(dst, size, "-");
}

void print_mapping(const struct vmshm_nl_mapping *m)
{
	char comm[VMSHM_NL_COMM_MAX], prot[4] = "---";

	if (m->prot & PROT_READ)
		prot[0] = 'r';
	if (m->prot & PROT_WRITE)
		prot[1] = 'w';
	if (m->prot & PROT_EXEC)
		prot[2] = 'x';
	printable_comm(comm, m->comm, sizeof(comm));
	open_json_object(NULL);
	print_u64(PRINT_ANY, "pid", "%7llu", m->pid);
	print_string(PRINT_JSON, "comm", NULL, m->comm);
	print_string(PRINT_FP, NULL, " %-16s", comm);
	print_hex(PRINT_ANY, "start", " 0x%016llx", m->start);
	print_hex(PRINT_ANY, "end", " 0x%016llx", m->end);
	print_string(PRINT_ANY, "prot", " %4s", prot);
	print_u64(PRINT_ANY, "resident", " %9llu", m->resident);
	print_u64(PRINT_ANY, "faults", " %10llu", m->faults);
	print_u64(PRINT_ANY, "majflt", " %10llu", m->majflt);
	close_json_object();
	print_nl();
}

void print_show_end(void)
{
	close_json_array();
	close_json_object();
}

static void print_stat(const char *key, unsigned long long value)
{
	print_string(PRINT_FP, NULL, "%-16s", key);
	print_u64(PRINT_ANY, key, " %llu\n", value);
}

void print_stats(const struct vmshm_nl_stats *st)
{
	open_json_object(NULL);
	print_stat("regions", st->regions);
	print_stat("max_regions", st->max_regions);
	print_stat("reserved_pages", st->reserved_pages);
	print_stat("max_total_pages", st->max_total_pages);
	print_stat("pages", st->pages);
	print_stat("swapped_pages", st->swapped_pages);
	print_stat("rejected", st->rejected);
	print_stat("max_region_size", st->max_region_size);
	print_stat("user_regions", st->user_regions);
	print_stat("max_user_regions", st->max_user_regions);
	print_stat("user_pages", st->user_pages);
	print_stat("max_user_pages", st->max_user_pages);
	close_json_object();
}

void print_event(const struct vmshm_nl_event *ev)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "event", "%-9s",
		     vmshm_nl_event_name(ev->type));
	print_u64(PRINT_ANY, "id", " id %llu", ev->region_id);
	print_string(PRINT_JSON, "name", NULL, ev->name);
	print_string(PRINT_FP, NULL, " name %s",
		     ev->name[0] ? ev->name : "(anon)");
	print_u64(PRINT_ANY, "pid", " pid %llu", ev->pid);
	close_json_object();
	print_nl();
	fflush(stdout);
}
