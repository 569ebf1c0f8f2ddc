// A minimal LV2 host for tests/bench/limiter-vs-peers.sh: runs one stereo plugin (x42 dpl, the LSP limiter)
// over a WAV file at a static input gain and writes the output aligned with the input (the plugin's reported
// latency removed). lilv's own lv2apply cannot drive plugins with atom ports (dpl has two), hence this host.
// Our code only: the plugins are loaded from the system's LV2 path, never built or copied here.
//
// Usage: lv2_limiter_host URI IN.wav OUT.wav [--gain-db G] [--control SYMBOL=VALUE ...]
// OUT.wav is 32-bit float; prints "latency_frames=N" on stdout.
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/urid/urid.h>
#include <sndfile.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

int fail(const std::string& message) {
    std::fprintf(stderr, "lv2_limiter_host: %s\n", message.c_str());
    return 1;
}

// urid:map is the one feature both plugins require; ids are indices into a list of URIs.
std::vector<std::string> gUris;
LV2_URID mapUri(LV2_URID_Map_Handle, const char* uri) {
    for (std::size_t i = 0; i < gUris.size(); ++i)
        if (gUris[i] == uri) return static_cast<LV2_URID>(i + 1);
    gUris.emplace_back(uri);
    return static_cast<LV2_URID>(gUris.size());
}

constexpr int kBlock = 1024;
constexpr std::size_t kAtomBytes = 8192;

} // namespace

int main(int argc, char** argv) {
    if (argc < 4)
        return fail("usage: lv2_limiter_host URI IN.wav OUT.wav [--gain-db G] [--control SYM=VAL ...]");
    const std::string uri = argv[1], inPath = argv[2], outPath = argv[3];
    double gainDb = 0.0;
    std::map<std::string, float> controls;
    for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--gain-db" && i + 1 < argc) {
            gainDb = std::atof(argv[++i]);
        } else if (a == "--control" && i + 1 < argc) {
            const std::string kv = argv[++i];
            const auto eq = kv.find('=');
            if (eq == std::string::npos) return fail("--control wants SYMBOL=VALUE, got " + kv);
            controls[kv.substr(0, eq)] = std::strtof(kv.c_str() + eq + 1, nullptr);
        } else {
            return fail("unknown argument " + a);
        }
    }

    SF_INFO inInfo{};
    SNDFILE* in = sf_open(inPath.c_str(), SFM_READ, &inInfo);
    if (!in) return fail(inPath + ": " + sf_strerror(nullptr));
    if (inInfo.channels != 2) return fail(inPath + ": not stereo");
    std::vector<float> input(static_cast<std::size_t>(inInfo.frames) * 2);
    sf_readf_float(in, input.data(), inInfo.frames);
    sf_close(in);
    const float gain = static_cast<float>(std::pow(10.0, gainDb / 20.0));

    LilvWorld* world = lilv_world_new();
    lilv_world_load_all(world);
    LilvNode* uriNode = lilv_new_uri(world, uri.c_str());
    const LilvPlugin* plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uriNode);
    if (!plugin) return fail("plugin not installed: " + uri);

    LV2_URID_Map map{nullptr, mapUri};
    LV2_Feature mapFeature{LV2_URID__map, &map};
    const LV2_Feature* features[] = {&mapFeature, nullptr};
    LilvInstance* instance = lilv_plugin_instantiate(plugin, inInfo.samplerate, features);
    if (!instance) return fail("cannot instantiate " + uri);

    LilvNode* audioClass = lilv_new_uri(world, LILV_URI_AUDIO_PORT);
    LilvNode* controlClass = lilv_new_uri(world, LILV_URI_CONTROL_PORT);
    LilvNode* atomClass = lilv_new_uri(world, LV2_ATOM__AtomPort);
    LilvNode* inputClass = lilv_new_uri(world, LILV_URI_INPUT_PORT);
    const uint32_t ports = lilv_plugin_get_num_ports(plugin);
    std::vector<float> controlValues(ports, 0.0f), defaults(ports, 0.0f);
    lilv_plugin_get_port_ranges_float(plugin, nullptr, nullptr, defaults.data());
    std::vector<std::vector<uint8_t>> atomBuffers(ports);
    std::vector<std::vector<float>> audioIn(2, std::vector<float>(kBlock)),
        audioOut(2, std::vector<float>(kBlock));
    int audioInCount = 0, audioOutCount = 0;
    const uint32_t latencyPort =
        lilv_plugin_has_latency(plugin) ? lilv_plugin_get_latency_port_index(plugin) : UINT32_MAX;
    const LV2_URID sequenceType = mapUri(nullptr, LV2_ATOM__Sequence);
    const LV2_URID chunkType = mapUri(nullptr, LV2_ATOM__Chunk);
    for (uint32_t p = 0; p < ports; ++p) {
        const LilvPort* port = lilv_plugin_get_port_by_index(plugin, p);
        const bool isInput = lilv_port_is_a(plugin, port, inputClass);
        const std::string symbol = lilv_node_as_string(lilv_port_get_symbol(plugin, port));
        if (lilv_port_is_a(plugin, port, audioClass)) {
            std::vector<float>& buffer = isInput ? audioIn.at(static_cast<std::size_t>(audioInCount++))
                                                 : audioOut.at(static_cast<std::size_t>(audioOutCount++));
            lilv_instance_connect_port(instance, p, buffer.data());
        } else if (lilv_port_is_a(plugin, port, controlClass)) {
            controlValues[p] = std::isnan(defaults[p]) ? 0.0f : defaults[p];
            if (isInput && controls.count(symbol)) {
                controlValues[p] = controls[symbol];
                controls.erase(symbol);
            }
            lilv_instance_connect_port(instance, p, &controlValues[p]);
        } else if (lilv_port_is_a(plugin, port, atomClass)) {
            atomBuffers[p].assign(kAtomBytes, 0);
            lilv_instance_connect_port(instance, p, atomBuffers[p].data());
        } else {
            lilv_instance_connect_port(instance, p, nullptr);
        }
    }
    if (!controls.empty()) return fail("no input control port " + controls.begin()->first);
    if (audioInCount != 2 || audioOutCount != 2) return fail(uri + " is not a stereo plugin");

    // Atom inputs carry an empty sequence each block; outputs offer their whole capacity as a chunk.
    auto resetAtoms = [&] {
        for (uint32_t p = 0; p < ports; ++p) {
            if (atomBuffers[p].empty()) continue;
            auto* seq = reinterpret_cast<LV2_Atom_Sequence*>(atomBuffers[p].data());
            const LilvPort* port = lilv_plugin_get_port_by_index(plugin, p);
            if (lilv_port_is_a(plugin, port, inputClass)) {
                seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
                seq->atom.type = sequenceType;
            } else {
                seq->atom.size = kAtomBytes - sizeof(LV2_Atom);
                seq->atom.type = chunkType;
            }
            seq->body.unit = 0;
            seq->body.pad = 0;
        }
    };

    lilv_instance_activate(instance);
    const long long frames = inInfo.frames;
    std::vector<float> output;
    output.reserve(static_cast<std::size_t>(frames + 65536) * 2);
    long long latency = -1;
    long long produced = 0;
    // Feed the file, then silence until the latency is drained.
    for (long long pos = 0; latency < 0 || produced < frames + latency; pos += kBlock) {
        for (int i = 0; i < kBlock; ++i) {
            const long long k = pos + i;
            for (int c = 0; c < 2; ++c)
                audioIn[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)] =
                    k < frames ? gain * input[static_cast<std::size_t>(k * 2 + c)] : 0.0f;
        }
        resetAtoms();
        lilv_instance_run(instance, kBlock);
        if (latency < 0) latency = latencyPort == UINT32_MAX ? 0 : std::lround(controlValues[latencyPort]);
        for (int i = 0; i < kBlock; ++i)
            for (int c = 0; c < 2; ++c)
                output.push_back(audioOut[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)]);
        produced += kBlock;
        if (pos > frames + (1LL << 22)) return fail("latency never drained");
    }
    lilv_instance_deactivate(instance);
    lilv_instance_free(instance);

    SF_INFO outInfo{};
    outInfo.samplerate = inInfo.samplerate;
    outInfo.channels = 2;
    outInfo.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* out = sf_open(outPath.c_str(), SFM_WRITE, &outInfo);
    if (!out) return fail(outPath + ": " + sf_strerror(nullptr));
    sf_writef_float(out, output.data() + latency * 2, frames);
    sf_close(out);
    std::printf("latency_frames=%lld\n", latency);

    lilv_node_free(audioClass);
    lilv_node_free(controlClass);
    lilv_node_free(atomClass);
    lilv_node_free(inputClass);
    lilv_node_free(uriNode);
    lilv_world_free(world);
    return 0;
}
