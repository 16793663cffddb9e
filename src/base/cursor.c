/* The cursor is defined inline in cursor.h; this unit keeps the layer's
 * object list stable and checks that the header stands alone. */
#include "base/cursor.h"

#include "base/banned.h"
