/* dbifIntro.c -- placeholder (dbif introspection). */
#include "dbifInt.h"
typedef int DbifIntroPlaceholder;
