#include "AudioSettingsDialog.h"

#include "core/engine/AudioEngine.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSettings>
#include <QVBoxLayout>

namespace lathe::ui {

namespace {
constexpr int kDefaultBufferFrames = 512;
const char* kDeviceKey = "audio/device";
const char* kBufferKey = "audio/bufferFrames";
} // namespace

QString AudioSettingsDialog::savedDevice() {
    return QSettings().value(kDeviceKey).toString();
}

int AudioSettingsDialog::savedBufferFrames() {
    return QSettings().value(kBufferKey, kDefaultBufferFrames).toInt();
}

void AudioSettingsDialog::save(const QString& device, int bufferFrames) {
    QSettings settings;
    settings.setValue(kDeviceKey, device);
    settings.setValue(kBufferKey, bufferFrames);
}

AudioSettingsDialog::AudioSettingsDialog(const QString& currentStatus, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Audio settings"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    device_ = new QComboBox(this);
    device_->addItem(tr("System default"), QString());
    std::vector<core::OutputDevice> devices;
    try {
        devices = core::AudioEngine::outputDevices();
    } catch (const std::exception&) {
        // No audio system at all: the default entry stays, and the status line below says why.
    }
    for (const auto& d : devices) {
        const QString name = QString::fromStdString(d.name);
        device_->addItem(QStringLiteral("%1 (%2, %3 Hz)%4")
                             .arg(name, QString::fromStdString(d.hostApi))
                             .arg(d.defaultSampleRate, 0, 'f', 0)
                             .arg(d.isDefault ? tr(" — default") : QString()),
                         name);
    }
    int current = device_->findData(savedDevice());
    if (current < 0 && !savedDevice().isEmpty()) {
        device_->addItem(tr("%1 (not connected)").arg(savedDevice()), savedDevice());
        current = device_->count() - 1;
    }
    device_->setCurrentIndex(std::max(0, current));
    buffer_ = new QComboBox(this);
    for (int frames = 32; frames <= 2048; frames *= 2)
        buffer_->addItem(tr("%1 frames").arg(frames), frames);
    buffer_->setCurrentIndex(std::max(0, buffer_->findData(savedBufferFrames())));
    buffer_->setToolTip(tr("Smaller: less delay when you move a control. Larger: safer against dropouts."));
    form->addRow(tr("Output device"), device_);
    form->addRow(tr("Buffer size"), buffer_);
    layout->addLayout(form);
    auto* status = new QLabel(tr("Now: %1").arg(currentStatus), this);
    status->setWordWrap(true);
    status->setObjectName(QStringLiteral("dimLabel"));
    layout->addWidget(status);
    if (devices.empty()) {
        auto* none =
            new QLabel(tr("No output devices were found. Lathe works without one; playback is silent."));
        none->setWordWrap(true);
        layout->addWidget(none);
    }
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        save(deviceName(), bufferFrames());
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QString AudioSettingsDialog::deviceName() const {
    return device_->currentData().toString();
}
int AudioSettingsDialog::bufferFrames() const {
    return buffer_->currentData().toInt();
}

} // namespace lathe::ui
