// Intentionally empty: the target exists to export FuzzDriver.h to Swift.
#include "FuzzDriver.h"
