/*
 * dbifInt.h --
 *
 *	Internal declarations of the dbif ensemble (dbifCmd.c, dbifProp.c,
 *	dbifIntro.c).
 */
#ifndef _DBIFINT_H
#define _DBIFINT_H
#include "dbusInt.h"
#endif /* _DBIFINT_H */
