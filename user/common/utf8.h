/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UTF-8 validation, shared by the JSON writer (which must never emit an
 * invalid sequence) and the JSON checker of the tests.
 */
#ifndef _VMSHM_UTF8_H
#define _VMSHM_UTF8_H

#include <stddef.h>

/**
 * utf8_seq_len() - length of the valid UTF-8 sequence at @s
 * @s: the bytes
 * @n: bytes available at @s, at least 1
 *
 * Rejects overlong forms, surrogates and code points above U+10FFFF, as
 * RFC 3629 does.
 *
 * Return: 1 to 4, or 0 when @s does not start a valid sequence.
 */
static inline size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

#endif /* _VMSHM_UTF8_H */
