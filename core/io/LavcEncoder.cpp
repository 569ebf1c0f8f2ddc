#include "core/io/LavcEncoder.h"

#include "core/Error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <algorithm>
#include <vector>

namespace lathe::core {

namespace {

std::string avError(int code) {
    char buffer[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buffer, sizeof buffer);
    return buffer;
}

} // namespace

struct LavcEncoder::State {
    std::string displayPath;
    AVFormatContext* format = nullptr;
    AVCodecContext* context = nullptr;
    AVStream* stream = nullptr;
    AVFrame* frame = nullptr;
    AVPacket* packet = nullptr;
    bool planar = true;
    int channels = 2;
    int frameSize = 1024;
    int pending = 0; // frames buffered in `frame`
    int64_t pts = 0;
    bool headerWritten = false;
    bool finished = false;

    [[noreturn]] void fail(const std::string& what, int code) const {
        throw Error(displayPath, what + " (libavcodec: " + avError(code) + ")");
    }

    void drain() {
        for (;;) {
            const int got = avcodec_receive_packet(context, packet);
            if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return;
            if (got < 0) fail("encoding failed", got);
            av_packet_rescale_ts(packet, context->time_base, stream->time_base);
            packet->stream_index = stream->index;
            const int written = av_interleaved_write_frame(format, packet);
            if (written < 0) fail("write error; nothing was saved", written);
        }
    }

    void sendPending() {
        if (pending == 0) return;
        frame->nb_samples = pending;
        frame->pts = pts;
        pts += pending;
        const int sent = avcodec_send_frame(context, frame);
        if (sent < 0) fail("encoding failed", sent);
        drain();
        pending = 0;
        const int writable = av_frame_make_writable(frame);
        if (writable < 0) fail("out of memory", writable);
    }

    ~State() {
        if (frame) av_frame_free(&frame);
        if (packet) av_packet_free(&packet);
        if (context) avcodec_free_context(&context);
        if (format) {
            if (format->pb) avio_closep(&format->pb);
            avformat_free_context(format);
        }
    }
};

LavcEncoder::LavcEncoder(const std::string& path, const std::string& displayPath, Codec codec, int sampleRate,
                         int channels, int kbps, double vorbisQuality)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.displayPath = displayPath;
    s.channels = channels;
    // FFmpeg logs to stderr by default; the errors that matter come back as return codes and are reported
    // with the file's name.
    av_log_set_level(AV_LOG_QUIET);
    const char* encoderName = codec == Codec::Aac ? "aac" : codec == Codec::Opus ? "libopus" : "libvorbis";
    const char* muxer = codec == Codec::Aac ? "ipod" : "ogg";
    const AVCodec* encoder = avcodec_find_encoder_by_name(encoderName);
    if (!encoder)
        throw Error(displayPath, std::string("this system's libavcodec has no ") + encoderName + " encoder");
    int err = avformat_alloc_output_context2(&s.format, nullptr, muxer, path.c_str());
    if (err < 0 || !s.format) s.fail(std::string("cannot create the ") + muxer + " container", err);
    s.context = avcodec_alloc_context3(encoder);
    if (!s.context) throw Error(displayPath, "out of memory");
    s.context->sample_rate = sampleRate;
    av_channel_layout_default(&s.context->ch_layout, channels);
    // Planar float is what the render holds; libopus takes interleaved float only.
    s.context->sample_fmt = AV_SAMPLE_FMT_FLTP;
    s.planar = true;
    if (encoder->sample_fmts) {
        bool hasPlanar = false, hasInterleaved = false;
        for (const AVSampleFormat* f = encoder->sample_fmts; *f != AV_SAMPLE_FMT_NONE; ++f) {
            hasPlanar = hasPlanar || *f == AV_SAMPLE_FMT_FLTP;
            hasInterleaved = hasInterleaved || *f == AV_SAMPLE_FMT_FLT;
        }
        if (!hasPlanar && hasInterleaved) {
            s.context->sample_fmt = AV_SAMPLE_FMT_FLT;
            s.planar = false;
        } else if (!hasPlanar) {
            throw Error(displayPath, std::string(encoderName) + " takes no float input");
        }
    }
    s.context->time_base = AVRational{1, sampleRate};
    if (codec == Codec::Vorbis) {
        s.context->flags |= AV_CODEC_FLAG_QSCALE;
        s.context->global_quality = static_cast<int>(vorbisQuality * FF_QP2LAMBDA + 0.5);
    } else {
        s.context->bit_rate = static_cast<int64_t>(kbps) * 1000;
    }
    if (codec == Codec::Aac) s.context->profile = FF_PROFILE_AAC_LOW;
    if (s.format->oformat->flags & AVFMT_GLOBALHEADER) s.context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    err = avcodec_open2(s.context, encoder, nullptr);
    if (err < 0)
        s.fail(std::string(encoderName) + " refused " + std::to_string(sampleRate) + " Hz" +
                   (codec == Codec::Vorbis ? "" : " at " + std::to_string(kbps) + " kb/s"),
               err);
    s.stream = avformat_new_stream(s.format, nullptr);
    if (!s.stream) throw Error(displayPath, "out of memory");
    s.stream->time_base = s.context->time_base;
    err = avcodec_parameters_from_context(s.stream->codecpar, s.context);
    if (err < 0) s.fail("cannot set up the stream", err);
    err = avio_open(&s.format->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) s.fail("cannot write", err);
    err = avformat_write_header(s.format, nullptr);
    if (err < 0) s.fail("cannot write the header", err);
    s.headerWritten = true;

    s.frameSize = s.context->frame_size > 0 ? s.context->frame_size : 1024;
    s.frame = av_frame_alloc();
    s.packet = av_packet_alloc();
    if (!s.frame || !s.packet) throw Error(displayPath, "out of memory");
    s.frame->format = s.context->sample_fmt;
    s.frame->sample_rate = sampleRate;
    s.frame->nb_samples = s.frameSize;
    err = av_channel_layout_copy(&s.frame->ch_layout, &s.context->ch_layout);
    if (err < 0) s.fail("out of memory", err);
    err = av_frame_get_buffer(s.frame, 0);
    if (err < 0) s.fail("out of memory", err);
}

LavcEncoder::~LavcEncoder() = default;

void LavcEncoder::write(const float* const* channels, int64_t frames) {
    State& s = *state_;
    for (int64_t done = 0; done < frames;) {
        const int n = static_cast<int>(std::min<int64_t>(frames - done, s.frameSize - s.pending));
        for (int c = 0; c < s.channels; ++c) {
            const float* in = channels[c] + done;
            if (s.planar) {
                std::copy_n(in, n, reinterpret_cast<float*>(s.frame->data[c]) + s.pending);
            } else {
                float* out = reinterpret_cast<float*>(s.frame->data[0]);
                for (int i = 0; i < n; ++i)
                    out[(s.pending + i) * s.channels + c] = in[i];
            }
        }
        s.pending += n;
        done += n;
        if (s.pending == s.frameSize) s.sendPending();
    }
}

void LavcEncoder::finish() {
    State& s = *state_;
    if (s.finished) return;
    s.finished = true;
    // The last frame may be short: all three encoders take a small last frame (AV_CODEC_CAP_SMALL_LAST_FRAME)
    // and the containers record the true length, so nothing is padded into the song.
    s.sendPending();
    const int sent = avcodec_send_frame(s.context, nullptr);
    if (sent < 0) s.fail("encoding failed", sent);
    s.drain();
    const int err = av_write_trailer(s.format);
    if (err < 0) s.fail("write error; nothing was saved", err);
    if (s.format->pb->error < 0) s.fail("write error; nothing was saved", s.format->pb->error);
    avio_closep(&s.format->pb);
}

} // namespace lathe::core
