#include "DeliverableOptions.h"

#include "core/model/DeliverableSpec.h"

#include <exception>

namespace lathe::cli {

void addDeliverableOptions(CLI::App& command, core::RenderOverrides& overrides) {
    command
        .add_option(
            "--preset", overrides.preset,
            "A deliverable set by name: streaming (24/48 WAV, AAC 256, Opus 160, MP3 320), cd (16/44.1 "
            "WAV + FLAC), hi-res (24/96 WAV + FLAC, 24/48 WAV), references (MP3 320, AAC 256)")
        ->check(CLI::IsMember(core::deliverablePresetNames()));
    command
        .add_option("--deliverable", overrides.deliverables,
                    "A file each master ships as (repeatable; replaces the session's set, added after "
                    "--preset's): wav[:BITS[:RATE]], flac[:BITS[:RATE]], mp3[:KBPS], opus[:KBPS], "
                    "vorbis[:QUALITY], aac[:KBPS]")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                try {
                    core::parseDeliverableSpec(text);
                    return {};
                } catch (const std::exception& e) {
                    return e.what();
                }
            },
            "SPEC"))
        ->allow_extra_args(false);
}

} // namespace lathe::cli
