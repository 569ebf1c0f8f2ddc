#include "core/io/FileTags.h"

#include "core/Error.h"
#include "core/Version.h"

#include <taglib/attachedpictureframe.h>
#include <taglib/commentsframe.h>
#include <taglib/flacfile.h>
#include <taglib/flacpicture.h>
#include <taglib/id3v2tag.h>
#include <taglib/infotag.h>
#include <taglib/mp4file.h>
#include <taglib/mpegfile.h>
#include <taglib/opusfile.h>
#include <taglib/textidentificationframe.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>
#include <taglib/xiphcomment.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace lathe::core {

namespace {

TagLib::String utf8(const std::string& text) {
    return TagLib::String(text, TagLib::String::UTF8);
}

std::string trackText(const ReleaseTags& t) {
    if (t.track <= 0) return {};
    return t.trackTotal > 0 ? std::to_string(t.track) + "/" + std::to_string(t.trackTotal)
                            : std::to_string(t.track);
}

TagLib::ByteVector coverBytes(const ReleaseTags& t) {
    return TagLib::ByteVector(t.cover.data(), static_cast<unsigned int>(t.cover.size()));
}

void addText(TagLib::ID3v2::Tag& tag, const char* id, const std::string& text) {
    if (text.empty()) return;
    auto* frame = new TagLib::ID3v2::TextIdentificationFrame(id, TagLib::String::UTF8);
    frame->setText(utf8(text));
    tag.addFrame(frame); // the tag owns it
}

void fillXiph(TagLib::Ogg::XiphComment& x, const ReleaseTags& t) {
    const auto set = [&](const char* key, const std::string& value) {
        if (!value.empty()) x.addField(key, utf8(value), true);
    };
    set("TITLE", t.title);
    set("ARTIST", t.artist);
    set("ALBUM", t.album);
    if (t.track > 0) set("TRACKNUMBER", std::to_string(t.track));
    if (t.trackTotal > 0) set("TRACKTOTAL", std::to_string(t.trackTotal));
    if (t.year > 0) set("DATE", std::to_string(t.year));
    set("GENRE", t.genre);
    set("ISRC", t.isrc);
    set("COMMENT", t.comment);
    set("ENCODER", std::string("Lathe ") + version());
}

TagLib::FLAC::Picture* makeFlacPicture(const ReleaseTags& t) {
    auto* picture = new TagLib::FLAC::Picture;
    picture->setType(TagLib::FLAC::Picture::FrontCover);
    picture->setMimeType(t.coverMime);
    picture->setData(coverBytes(t));
    return picture;
}

[[noreturn]] void cannotTag(const std::string& displayPath, const std::string& format) {
    throw Error(displayPath, "could not write the " + format + " tags (TagLib refused the file)");
}

} // namespace

std::optional<std::string> findCoverArt(const std::string& folder) {
    std::error_code ec;
    if (folder.empty() || !fs::is_directory(folder, ec)) return std::nullopt;
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec)) entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    for (const char* wanted : {"cover.jpg", "cover.jpeg", "cover.png", "folder.jpg"})
        for (const auto& p : entries) {
            std::string name = p.filename().string();
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (name == wanted) return p.string();
        }
    return std::nullopt;
}

void loadCoverArt(ReleaseTags& tags, const std::string& imagePath) {
    std::ifstream in(imagePath, std::ios::binary);
    if (!in) throw Error(imagePath, "cannot read the cover art");
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto starts = [&](std::initializer_list<unsigned char> signature) {
        if (bytes.size() < signature.size()) return false;
        std::size_t i = 0;
        for (unsigned char c : signature)
            if (static_cast<unsigned char>(bytes[i++]) != c) return false;
        return true;
    };
    if (starts({0xFF, 0xD8, 0xFF}))
        tags.coverMime = "image/jpeg";
    else if (starts({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}))
        tags.coverMime = "image/png";
    else
        throw Error(imagePath, "cover art is neither a JPEG nor a PNG image");
    // ID3v2 frames and FLAC blocks hold at most 16 MB; covers for stores are well under it.
    if (bytes.size() > 16u * 1024 * 1024) throw Error(imagePath, "cover art larger than 16 MB");
    tags.cover = std::move(bytes);
    tags.coverPath = imagePath;
}

std::string normalizedIsrc(const std::string& isrc) {
    std::string s;
    for (char c : isrc)
        if (c != '-') s += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

void writeReleaseTags(const std::string& path, const std::string& displayPath, const std::string& format,
                      const ReleaseTags& t) {
    const bool hasCover = !t.cover.empty();
    if (format == "mp3") {
        TagLib::MPEG::File file(path.c_str(), false);
        if (!file.isValid()) cannotTag(displayPath, "ID3v2");
        file.strip(TagLib::MPEG::File::AllTags);
        TagLib::ID3v2::Tag* tag = file.ID3v2Tag(true);
        addText(*tag, "TIT2", t.title);
        addText(*tag, "TPE1", t.artist);
        addText(*tag, "TALB", t.album);
        addText(*tag, "TRCK", trackText(t));
        if (t.year > 0) addText(*tag, "TDRC", std::to_string(t.year));
        addText(*tag, "TCON", t.genre);
        addText(*tag, "TSRC", t.isrc);
        addText(*tag, "TSSE", std::string("Lathe ") + version());
        if (!t.comment.empty()) {
            auto* comment = new TagLib::ID3v2::CommentsFrame(TagLib::String::UTF8);
            comment->setLanguage("eng");
            comment->setText(utf8(t.comment));
            tag->addFrame(comment);
        }
        if (hasCover) {
            auto* picture = new TagLib::ID3v2::AttachedPictureFrame;
            picture->setTextEncoding(TagLib::String::UTF8);
            picture->setType(TagLib::ID3v2::AttachedPictureFrame::FrontCover);
            picture->setMimeType(t.coverMime);
            picture->setPicture(coverBytes(t));
            tag->addFrame(picture);
        }
        if (!file.save(TagLib::MPEG::File::ID3v2, TagLib::File::StripOthers, TagLib::ID3v2::v4))
            cannotTag(displayPath, "ID3v2");
    } else if (format == "flac") {
        TagLib::FLAC::File file(path.c_str(), false);
        if (!file.isValid()) cannotTag(displayPath, "FLAC");
        fillXiph(*file.xiphComment(true), t);
        file.removePictures();
        if (hasCover) file.addPicture(makeFlacPicture(t));
        if (!file.save()) cannotTag(displayPath, "FLAC");
    } else if (format == "opus" || format == "vorbis") {
        std::unique_ptr<TagLib::Ogg::File> file;
        TagLib::Ogg::XiphComment* x = nullptr;
        if (format == "opus") {
            auto* f = new TagLib::Ogg::Opus::File(path.c_str(), false);
            file.reset(f);
            x = f->isValid() ? f->tag() : nullptr;
        } else {
            auto* f = new TagLib::Ogg::Vorbis::File(path.c_str(), false);
            file.reset(f);
            x = f->isValid() ? f->tag() : nullptr;
        }
        if (!x) cannotTag(displayPath, "Vorbis comment");
        fillXiph(*x, t);
        x->removeAllPictures();
        if (hasCover) x->addPicture(makeFlacPicture(t));
        if (!file->save()) cannotTag(displayPath, "Vorbis comment");
    } else if (format == "aac") {
        TagLib::MP4::File file(path.c_str(), false);
        if (!file.isValid() || !file.tag()) cannotTag(displayPath, "MP4");
        TagLib::MP4::Tag* tag = file.tag();
        const auto set = [&](const char* atom, const std::string& value) {
            if (!value.empty()) tag->setItem(atom, TagLib::StringList(utf8(value)));
        };
        set("\251nam", t.title);
        set("\251ART", t.artist);
        set("\251alb", t.album);
        if (t.year > 0) set("\251day", std::to_string(t.year));
        set("\251gen", t.genre);
        set("\251cmt", t.comment);
        set("\251too", std::string("Lathe ") + version());
        // iTunes keeps the ISRC in a freeform atom; ffprobe reads it as "ISRC".
        set("----:com.apple.iTunes:ISRC", t.isrc);
        if (t.track > 0) tag->setItem("trkn", TagLib::MP4::Item(t.track, t.trackTotal));
        if (hasCover) {
            TagLib::MP4::CoverArtList covers;
            covers.append(TagLib::MP4::CoverArt(t.coverMime == "image/png" ? TagLib::MP4::CoverArt::PNG
                                                                           : TagLib::MP4::CoverArt::JPEG,
                                                coverBytes(t)));
            tag->setItem("covr", TagLib::MP4::Item(covers));
        }
        if (!file.save()) cannotTag(displayPath, "MP4");
    } else if (format == "wav") {
        TagLib::RIFF::WAV::File file(path.c_str(), false);
        if (!file.isValid()) cannotTag(displayPath, "RIFF INFO");
        TagLib::RIFF::Info::Tag* info = file.InfoTag();
        const auto set = [&](const char* id, const std::string& value) {
            if (!value.empty()) info->setFieldText(id, utf8(value));
        };
        set("INAM", t.title);
        set("IART", t.artist);
        set("IPRD", t.album);
        if (t.year > 0) set("ICRD", std::to_string(t.year));
        set("ITRK", trackText(t));
        set("IGNR", t.genre);
        set("ICMT", t.comment);
        set("ISRC", t.isrc);
        set("ISFT", std::string("Lathe ") + version());
        // Info only: an ID3 chunk in a WAV confuses some broadcast players.
        if (!file.save(TagLib::RIFF::WAV::File::Info, TagLib::File::StripOthers))
            cannotTag(displayPath, "RIFF INFO");
    } else {
        throw Error(displayPath, "internal error: no tags for format " + format);
    }
}

void patchBextLoudness(const std::string& path, const std::string& displayPath, const BextLoudness& l) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!file) throw Error(displayPath, "cannot reopen the WAV to write its loudness metadata");
    const auto readU32 = [&](uint32_t& v) {
        unsigned char b[4];
        if (!file.read(reinterpret_cast<char*>(b), 4)) return false;
        v = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
        return true;
    };
    char id[4];
    uint32_t size = 0;
    file.read(id, 4);
    if (!file || std::string(id, 4) != "RIFF") throw Error(displayPath, "not a RIFF file");
    readU32(size);
    file.read(id, 4);
    std::streamoff position = 12;
    for (;;) {
        file.seekg(position);
        if (!file.read(id, 4) || !readU32(size))
            throw Error(displayPath, "no bext chunk to hold the loudness");
        if (std::string(id, 4) == "bext") break;
        position += 8 + size + (size & 1);
    }
    // Offset of LoudnessValue in the bext data (EBU Tech 3285 v2): Description 256, Originator 32,
    // OriginatorReference 32, OriginationDate 10, OriginationTime 8, TimeReference 8, Version 2, UMID 64.
    constexpr std::streamoff kLoudnessOffset = 256 + 32 + 32 + 10 + 8 + 8 + 2 + 64;
    const auto field = [](double value) {
        const long v = std::lround(std::clamp(value, -327.67, 327.66) * 100.0);
        return static_cast<uint16_t>(static_cast<int16_t>(v));
    };
    const uint16_t values[5] = {field(l.integratedLufs), field(l.loudnessRangeLu), field(l.maxTruePeakDbtp),
                                field(l.maxMomentaryLufs), field(l.maxShortTermLufs)};
    char bytes[10];
    for (int i = 0; i < 5; ++i) {
        bytes[2 * i] = static_cast<char>(values[i] & 0xFF);
        bytes[2 * i + 1] = static_cast<char>(values[i] >> 8);
    }
    file.seekp(position + 8 + kLoudnessOffset);
    file.write(bytes, sizeof bytes);
    file.flush();
    if (!file) throw Error(displayPath, "could not write the loudness metadata; nothing was saved");
}

} // namespace lathe::core
