/*
 * A stand-in bcryptprimitives.dll for the wine check (packaging/windows/wine-check.sh)
 * ONLY: never shipped, never installed on a real Windows. Go's runtime since
 * 1.24 calls ProcessPrng from bcryptprimitives.dll, which Windows 10 and 11
 * have and wine 8.0 lacks; this one draws the same bytes from
 * BCryptGenRandom (the system RNG), which wine has.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
