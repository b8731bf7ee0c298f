// The one C++ file of wiredesk: CLD2 has only a C++ interface. Part of the
// lang module (src/core/lang.c, include/wd/lang.h).
#include <cstdio>
#include <vector>

#include <cld2/public/compact_lang_det.h>

extern "C" const char *
wd_lang_cld2(const char *text, int len, int *reliable)
{
    bool ok = false;
    // is_plain_text: the callers pass extracted text, never markup.
    CLD2::Language lang = CLD2::DetectLanguage(text, len, true, &ok);
    *reliable = ok ? 1 : 0;
    return CLD2::LanguageCode(lang);
}
