#pragma once

// A session the widget tests edit without any audio: stems with these ids, files that need not exist.

#include "core/model/Session.h"

#include <initializer_list>
#include <string>

namespace lathe::test {

// One stem per id (path /nonexistent/Song/<id>.wav); with `rolesFromIds` each stem's role is its id too.
inline core::Session sessionWithStems(std::initializer_list<const char*> ids, bool rolesFromIds = false) {
    core::Session s;
    s.folder = "/nonexistent/Song";
    s.song = "Song";
    for (const char* id : ids) {
        core::StemSettings stem;
        stem.id = id;
        if (rolesFromIds) stem.role = id;
        stem.path = std::string("/nonexistent/Song/") + id + ".wav";
        s.stems.push_back(stem);
    }
    return s;
}

} // namespace lathe::test
