// The audio settings dialog: it lists what PortAudio reports, and the choice made with OK is remembered in
// QSettings (a test organisation in a throw-away home) and shown again by the next dialog. PortAudio sees
// only the test's private audio system (set up by runWithPrivateHome), so what the machine's audio does (a
// JACK server started during the suite, a card plugged in) never changes the list.
#include "ui/AudioSettingsDialog.h"
#include "support/PrivateAudioSystem.h"
#include "support/PrivateHomeTestMain.h"

#include "core/engine/AudioEngine.h"

#include <gtest/gtest.h>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QPushButton>
#include <QSettings>

#include <set>
#include <string>

using lathe::ui::AudioSettingsDialog;

TEST(AudioSettingsDialog, ListsTheSystemDefaultAndEveryOutputDevice) {
    QSettings().clear();
    using lathe::test::PrivateAudioSystem;
    const std::vector<lathe::core::OutputDevice> devices = lathe::core::AudioEngine::outputDevices();
    // Exactly the private configuration's devices, whatever the machine has.
    std::set<std::string> names;
    for (const auto& d : devices) {
        names.insert(d.name);
        EXPECT_EQ(d.hostApi, "ALSA") << d.name;
    }
    EXPECT_EQ(names,
              (std::set<std::string>{PrivateAudioSystem::kDefaultDevice, PrivateAudioSystem::kOutputDevice,
                                     PrivateAudioSystem::kCaptureDevice}));
    AudioSettingsDialog dialog("status");
    QComboBox* box = dialog.deviceBox();
    ASSERT_EQ(box->count(), 1 + int(devices.size()));
    EXPECT_EQ(box->itemData(0).toString(), QString());
    for (size_t i = 0; i < devices.size(); ++i)
        EXPECT_EQ(box->itemData(int(i) + 1).toString(), QString::fromStdString(devices[i].name));
    EXPECT_EQ(dialog.deviceName(), QString()); // nothing saved yet: the default
    EXPECT_EQ(dialog.bufferFrames(), 512);
    // Buffer sizes are the powers of two the engine accepts (32..2048).
    ASSERT_EQ(dialog.bufferBox()->count(), 7);
    EXPECT_EQ(dialog.bufferBox()->itemData(0).toInt(), 32);
    EXPECT_EQ(dialog.bufferBox()->itemData(6).toInt(), 2048);
}

TEST(AudioSettingsDialog, OkSavesTheChoiceAndTheNextDialogRestoresIt) {
    QSettings().clear();
    int chosenDevice = 0;
    {
        AudioSettingsDialog dialog("status");
        chosenDevice = dialog.deviceBox()->count() - 1; // the last device, or the default if there is none
        dialog.deviceBox()->setCurrentIndex(chosenDevice);
        dialog.bufferBox()->setCurrentIndex(dialog.bufferBox()->findData(256));
        const QString device = dialog.deviceName();
        dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
        EXPECT_EQ(dialog.result(), QDialog::Accepted);
        EXPECT_EQ(QSettings().value("audio/device").toString(), device);
        EXPECT_EQ(QSettings().value("audio/bufferFrames").toInt(), 256);
        EXPECT_EQ(AudioSettingsDialog::savedDevice(), device);
        EXPECT_EQ(AudioSettingsDialog::savedBufferFrames(), 256);
    }
    AudioSettingsDialog again("status");
    EXPECT_EQ(again.deviceBox()->currentIndex(), chosenDevice);
    EXPECT_EQ(again.bufferFrames(), 256);

    // Cancel keeps what was saved.
    again.bufferBox()->setCurrentIndex(again.bufferBox()->findData(1024));
    again.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Cancel)->click();
    EXPECT_EQ(AudioSettingsDialog::savedBufferFrames(), 256);
}

TEST(AudioSettingsDialog, ARememberedDeviceThatIsGoneStaysChosenAndMarked) {
    QSettings().clear();
    AudioSettingsDialog::save("USB Interface That Is Unplugged", 128);
    AudioSettingsDialog dialog("status");
    EXPECT_EQ(dialog.deviceName(), "USB Interface That Is Unplugged");
    EXPECT_TRUE(dialog.deviceBox()->currentText().contains("not connected"));
    EXPECT_EQ(dialog.bufferFrames(), 128);
}

int main(int argc, char** argv) {
    return lathe::ui::test::runWithPrivateHome(argc, argv, "AudioSettingsDialogTest");
}
