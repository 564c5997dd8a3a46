// SwiftPM drops pkg-config's -D flags, so the wide-character API must be switched on here.
// Macros and C globals (stdscr, COLS, LINES) are wrapped so Swift 6 can use them safely.
#ifndef POLISEN_CNCURSESW_SHIM_H
#define POLISEN_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *pd_stdscr(void) { return stdscr; }
static inline int pd_lines(void) { return LINES; }
static inline int pd_cols(void) { return COLS; }
static inline attr_t pd_color_pair(int n) { return COLOR_PAIR(n); }
static inline attr_t pd_a_bold(void) { return A_BOLD; }
static inline attr_t pd_a_reverse(void) { return A_REVERSE; }
static inline attr_t pd_a_underline(void) { return A_UNDERLINE; }
static inline attr_t pd_a_dim(void) { return A_DIM; }
static inline attr_t pd_a_normal(void) { return A_NORMAL; }
static inline int pd_key_resize(void) { return KEY_RESIZE; }
static inline int pd_key_code_yes(void) { return KEY_CODE_YES; }
static inline int pd_err(void) { return ERR; }
static inline int pd_colors(void) { return COLORS; }
static inline int pd_color_pairs(void) { return COLOR_PAIRS; }

/// Put one character cell: a base character and the combining marks that belong to it (as
/// many as ncurses keeps, CCHARW_MAX in all). A cluster ncurses refuses (a spacing character
/// after the base) is drawn as its base alone; a base that takes no column as a space.
static inline int pd_put_cluster(int y, int x, const wchar_t *chars, int count, attr_t attrs, short pair) {
    cchar_t cc;
    wchar_t wstr[CCHARW_MAX + 1];
    int n = count < CCHARW_MAX ? count : CCHARW_MAX;
    for (int i = 0; i < n; i++) wstr[i] = chars[i];
    wstr[n] = L'\0';
    if (n == 0 || setcchar(&cc, wstr, attrs, pair, NULL) == ERR) {
        wstr[0] = (n > 0 && wcwidth(chars[0]) > 0) ? chars[0] : L' ';
        wstr[1] = L'\0';
        setcchar(&cc, wstr, attrs, pair, NULL);
    }
    return mvadd_wch(y, x, &cc);
}

/// Read one key with the wide API; returns the get_wch status and stores the key code.
static inline int pd_get_wch(wint_t *out) { return get_wch(out); }
#endif
