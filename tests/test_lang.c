/* WD_TEST_LABEL: unit */
/* The language of pages that do not declare one: the region's languages
 * in both their scripts, English, and what the detector cannot tell. */
#include "test.h"

#include "wd/arena.h"
#include "wd/item.h"
#include "wd/lang.h"
#include "wd/page.h"

static struct wd_arena arena;

static const char *
detect(const char *text)
{
    return wd_lang_detect(text, strlen(text), &arena);
}

#define CHECK_LANG(text, want)                                                 \
    do {                                                                       \
        const char *got_ = detect(text);                                       \
        CHECK_STR(got_ ? got_ : "(none)", want);                               \
    } while (0)

static void
test_region_languages(void)
{
    CHECK_LANG("The central bank kept its key rate unchanged on Friday, "
               "saying that inflation had slowed for a third month while "
               "lending to households continued to grow.",
               "en");
    CHECK_LANG("Президент Казахстана провёл встречу с министром иностранных "
               "дел и обсудил подготовку к визиту делегации в следующем "
               "месяце, сообщает пресс-служба Акорды.",
               "ru");
    CHECK_LANG("Қазақстан Президенті Сыртқы істер министрімен кездесу "
               "өткізіп, келесі айдағы ресми сапарға дайындық барысын "
               "талқылады, деп хабарлады Ақорданың баспасөз қызметі.",
               "kk");
    CHECK_LANG("Кыргызстандын Президенти чет элдик инвесторлор менен "
               "жолугушуу өткөрүп, өлкөнүн энергетика тармагына "
               "салынуучу каражаттар тууралуу сүйлөштү.",
               "ky");
    CHECK_LANG("O'zbekiston Prezidenti xorijiy investorlar bilan uchrashuv "
               "o'tkazdi va mamlakatning energetika sohasiga kiritiladigan "
               "sarmoyalar haqida so'zlashdi.",
               "uz");
    CHECK_LANG("Ўзбекистон Президенти хорижий инвесторлар билан учрашув "
               "ўтказди ва мамлакатнинг энергетика соҳасига "
               "киритиладиган сармоялар ҳақида сўзлашди.",
               "uz-Cyrl");
    CHECK_LANG("Cumhurbaşkanı, Kazakistan'a resmi bir ziyaret gerçekleştirdi "
               "ve iki ülke arasındaki ticaretin artırılması konusunda "
               "görüşmeler yaptı.",
               "tr");
    CHECK_LANG("Azərbaycan Prezidenti xarici investorlarla görüş keçirib və "
               "ölkənin enerji sektoruna qoyulacaq sərmayələr barədə "
               "danışıqlar aparıb.",
               "az");
}

static void
test_cannot_tell(void)
{
    CHECK(detect("") == NULL);
    CHECK(detect("12:30 17.10.2025 +0.5%") == NULL);
    CHECK(detect("xq zzv kkptr wwq") == NULL);
}

/* A page that declares no language gets its text's; one that declares
 * its language keeps it; one detection serves a listing's items. */
static void
test_pages(void)
{
    const char *ru = "Правительство утвердило план строительства дорог\n\n"
                     "Правительство утвердило план строительства новых "
                     "дорог в южных регионах страны. Работы начнутся весной "
                     "и продлятся три года, сообщили в министерстве "
                     "транспорта. На проект выделят средства из "
                     "республиканского бюджета.\n";
    struct wd_page_input in = {.content_type = "text/plain; charset=utf-8",
                               .body = (const uint8_t *)ru,
                               .len = strlen(ru),
                               .fetched_at_ms = 1764000000000LL};
    struct wd_page page;
    CHECK_OK(wd_page_parse(&in, &arena, &page));
    CHECK_INT(page.n_items, >=, 1);
    for (size_t i = 0; i < page.n_items; i++)
        CHECK_STR(page.items[i].language ? page.items[i].language : "(none)",
                  "ru");

    /* Declared: kept as declared (the detector would say "kk"). */
    const char *html =
        "<html lang=\"kk-KZ\"><head><title>Жол құрылысы жоспары бекітілді"
        "</title></head><body><article><h1>Жол құрылысы жоспары бекітілді"
        "</h1><p>Үкімет елдің оңтүстік өңірлерінде жаңа жолдар салу "
        "жоспарын бекітті. Жұмыс көктемде басталып, үш жылға созылады, деп "
        "хабарлады көлік министрлігі.</p><p>Жобаға республикалық бюджеттен "
        "қаражат бөлінеді.</p></article></body></html>";
    in.content_type = "text/html; charset=utf-8";
    in.body = (const uint8_t *)html;
    in.len = strlen(html);
    CHECK_OK(wd_page_parse(&in, &arena, &page));
    CHECK_INT(page.n_items, >=, 1);
    if (page.n_items)
        CHECK_STR(page.items[0].language ? page.items[0].language : "(none)",
                  "kk-KZ");

    struct wd_item items[3] = {
        {.title = "Новый мост открыли в столице",
         .body = "Движение по новому мосту через реку открыли в субботу."},
        {.title = "Цены на хлеб выросли",
         .body = "В министерстве объяснили рост цен подорожанием зерна."},
        {.title = "Declared", .body = "Declared in English.", .language = "en"},
    };
    struct wd_page listing = {
        .kind = WD_PAGE_LISTING, .items = items, .n_items = 3};
    wd_lang_fill(&listing, &arena);
    CHECK_STR(items[0].language ? items[0].language : "(none)", "ru");
    CHECK(items[0].language == items[1].language); /* one detection */
    CHECK_STR(items[2].language, "en");
}

int
main(void)
{
    wd_arena_init(&arena, 1 << 16);
    RUN(test_region_languages);
    RUN(test_cannot_tell);
    RUN(test_pages);
    wd_arena_fini(&arena);
    return TEST_DONE();
}
