/* function: FUNCTION LOAD/FCALL libraries (in progress). */
#include "scripting/script.h"
#include <lua5.1/lauxlib.h>

int luaRegisterFunction(lua_State *L) { return luaL_error(L, "server.register_function is not available"); }
