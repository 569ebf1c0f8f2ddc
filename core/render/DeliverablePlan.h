#pragma once

#include "core/io/AudioFileWriter.h"
#include "core/model/Session.h"

#include <string>
#include <vector>

namespace lathe::core {

// One file a master ships as, resolved against the session: its final path and what the writer needs.
struct PlannedFile {
    DeliverableSpec spec; // format, and bit_depth / sample_rate / kbps / quality resolved (no zeros)
    OutputFormat writerFormat = OutputFormat::Wav24;
    std::string path;
};

// One rendering of a master: the signal at one rate, limited and loudness-targeted there (the true peak
// measured after the rate change), dithered once to one word length, and every file made from exactly
// that audio: the PCM files at that word length and the lossy files encoded from it.
struct RenderVariant {
    int sampleRate = 48000;
    int bitDepth = 24; // 16, 24, 32 (float: no dither)
    std::vector<PlannedFile> pcm;
    std::vector<PlannedFile> lossy;
};

// The variants of one master ("stereo_master" / "stem_master"), in the order the deliverables list them.
// Without output.deliverables: one variant, today's files: <song>_<kind>.wav at output.bit_depth and
// output.sample_rate, plus <song>_<kind>.mp3 when output.mp3 is on and MP3 carries the rate. With a list:
// PCM files of the same rate and word length share a variant; a lossy file is encoded from the variant of
// the highest word length at a rate its codec carries (Opus: 48 kHz; MP3: 32/44.1/48 kHz; AAC: 8..96 kHz),
// else from a float variant of its own at 48 kHz (44.1 kHz when the output is of that family). Names:
// <song>_<kind>.<ext>, with _<bits>bit_<rate>k (PCM) or _<kbps>k / _q<quality> (lossy) when two files share
// an extension, or the spec's name pattern ({song} {kind} {bits} {rate} {kbps} {format}). Throws Error
// (from "output.deliverables") when two files would have one name or a spec cannot be made.
std::vector<RenderVariant> planVariants(const Session& session, const std::string& kind,
                                        const std::string& outDir);

// The writer format of a spec (its bit depth resolved).
OutputFormat writerFormat(const DeliverableSpec& spec);

// Whether a lossy format's encoder takes this sample rate (MP3: 32/44.1/48 kHz; Opus files: 48 kHz, libopus'
// full band; AAC: 8..96 kHz; Vorbis: 8..192 kHz).
bool codecCarriesSampleRate(const std::string& format, int rate);
// The rate a lossy format is encoded at from audio at `rate` when no PCM deliverable offers one it carries:
// `rate` itself when it can, else 44.1 kHz for the 44.1 kHz family (not Opus), else 48 kHz. The render's
// rule, also the live codec preview's.
int codecEncodeRate(const std::string& format, int rate);

// Whether renders of this session tag their files (output.tags, or a deliverable set).
bool writesReleaseTags(const Session& session);

} // namespace lathe::core
