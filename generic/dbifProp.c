/* dbifProp.c -- placeholder (dbif properties). */
#include "dbifInt.h"
typedef int DbifPropPlaceholder;
