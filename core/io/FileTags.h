#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lathe::core {

// Release metadata as tags go into files: the session's output.title/artist/album/track/year/genre/isrc/
// comment and the client folder's cover art.
struct ReleaseTags {
    std::string title;
    std::string artist;
    std::string album;
    int track = 0;      // 0 = none
    int trackTotal = 0; // 0 = unknown
    int year = 0;       // 0 = none
    std::string genre;
    std::string isrc; // normalised: 12 characters, no dashes, upper case
    std::string comment;
    std::string coverMime;   // "image/jpeg" / "image/png"; empty = no cover
    std::vector<char> cover; // the image file's bytes
    std::string coverPath;   // where it came from
};

// cover.jpg, cover.png, folder.jpg (any case) in `folder`, in that order; nullopt when none.
std::optional<std::string> findCoverArt(const std::string& folder);
// Reads the image into tags.cover (mime from its signature). Throws Error naming the file when it is neither
// JPEG nor PNG or cannot be read.
void loadCoverArt(ReleaseTags& tags, const std::string& imagePath);
// "CC-XXX-YY-NNNNN" or without dashes, any case -> "CCXXXYYNNNNN".
std::string normalizedIsrc(const std::string& isrc);

// Writes the tags into a finished file with TagLib, replacing what the encoder wrote: ID3v2.4 on MP3 (ID3v1
// stripped; TIT2 TPE1 TALB TRCK TDRC TCON TSRC COMM APIC), Vorbis comments (and a FLAC picture block /
// METADATA_BLOCK_PICTURE) on FLAC, Ogg Vorbis and Opus, MP4 atoms on AAC (covr included), a RIFF INFO list
// on WAV (INAM IART IPRD ICRD ITRK IGNR ICMT ISRC ISFT). `format` is a DeliverableSpec format. Throws Error
// naming displayPath.
void writeReleaseTags(const std::string& path, const std::string& displayPath, const std::string& format,
                      const ReleaseTags& tags);

// The loudness fields of a BWF bext chunk (EBU Tech 3285 v2, measured per EBU R128 / Tech 3341-3342).
struct BextLoudness {
    double integratedLufs = 0;
    double loudnessRangeLu = 0;
    double maxTruePeakDbtp = 0;
    double maxMomentaryLufs = 0;
    double maxShortTermLufs = 0;
};
// Fills the loudness fields of the bext chunk a WAV already holds (written by AudioFileWriter with
// broadcastExtension), each as round(100 x value) in a 16-bit little-endian field. Throws Error naming
// displayPath when the file has no bext chunk.
void patchBextLoudness(const std::string& path, const std::string& displayPath, const BextLoudness& loudness);

} // namespace lathe::core
