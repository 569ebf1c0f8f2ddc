#include "core/io/LavcDecoder.h"

#include "core/Error.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
}

#include <memory>
#include <vector>

namespace lathe::core {

namespace {

struct Lavc {
    AVFormatContext* format = nullptr;
    AVCodecContext* context = nullptr;
    AVPacket* packet = nullptr;
    AVFrame* frame = nullptr;
    ~Lavc() {
        if (frame) av_frame_free(&frame);
        if (packet) av_packet_free(&packet);
        if (context) avcodec_free_context(&context);
        if (format) avformat_close_input(&format);
    }
};

} // namespace

void decodeWithLavc(const std::string& path,
                    const std::function<void(int sampleRate, int channels)>& onFormat,
                    const std::function<void(const float* const* planar, int frames)>& sink) {
    av_log_set_level(AV_LOG_QUIET);
    Lavc l;
    if (avformat_open_input(&l.format, path.c_str(), nullptr, nullptr) < 0)
        throw Error(path, "cannot open for decoding");
    if (avformat_find_stream_info(l.format, nullptr) < 0) throw Error(path, "cannot read the stream");
    const AVCodec* decoder = nullptr;
    const int streamIndex = av_find_best_stream(l.format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
    if (streamIndex < 0 || !decoder) throw Error(path, "no decodable audio stream");
    l.context = avcodec_alloc_context3(decoder);
    if (!l.context ||
        avcodec_parameters_to_context(l.context, l.format->streams[streamIndex]->codecpar) < 0 ||
        avcodec_open2(l.context, decoder, nullptr) < 0)
        throw Error(path, "cannot open the decoder");
    l.packet = av_packet_alloc();
    l.frame = av_frame_alloc();
    if (!l.packet || !l.frame) throw Error(path, "out of memory");
    const int channels = l.context->ch_layout.nb_channels;
    if (channels < 1) throw Error(path, "no channels to decode");
    onFormat(l.context->sample_rate, channels);
    std::vector<std::vector<float>> planar(static_cast<size_t>(channels));
    std::vector<float*> pointers(static_cast<size_t>(channels));

    const auto receive = [&] {
        for (;;) {
            const int got = avcodec_receive_frame(l.context, l.frame);
            if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return;
            if (got < 0) throw Error(path, "decoding failed");
            const int n = l.frame->nb_samples;
            const auto fmt = static_cast<AVSampleFormat>(l.frame->format);
            for (int c = 0; c < channels; ++c) {
                auto& out = planar[static_cast<size_t>(c)];
                out.resize(static_cast<size_t>(n));
                for (int i = 0; i < n; ++i) {
                    float v = 0;
                    switch (fmt) {
                    case AV_SAMPLE_FMT_FLTP:
                        v = reinterpret_cast<const float*>(l.frame->extended_data[c])[i];
                        break;
                    case AV_SAMPLE_FMT_FLT:
                        v = reinterpret_cast<const float*>(l.frame->data[0])[i * channels + c];
                        break;
                    case AV_SAMPLE_FMT_S16P:
                        v = reinterpret_cast<const int16_t*>(l.frame->extended_data[c])[i] / 32768.0f;
                        break;
                    case AV_SAMPLE_FMT_S16:
                        v = reinterpret_cast<const int16_t*>(l.frame->data[0])[i * channels + c] / 32768.0f;
                        break;
                    default:
                        throw Error(path, "decoder gives an unexpected sample format");
                    }
                    out[static_cast<size_t>(i)] = v;
                }
                pointers[static_cast<size_t>(c)] = out.data();
            }
            sink(pointers.data(), n);
        }
    };
    while (av_read_frame(l.format, l.packet) >= 0) {
        if (l.packet->stream_index == streamIndex) {
            const int sent = avcodec_send_packet(l.context, l.packet);
            av_packet_unref(l.packet);
            if (sent < 0 && sent != AVERROR(EAGAIN)) throw Error(path, "decoding failed");
            receive();
        } else {
            av_packet_unref(l.packet);
        }
    }
    avcodec_send_packet(l.context, nullptr);
    receive();
}

} // namespace lathe::core
