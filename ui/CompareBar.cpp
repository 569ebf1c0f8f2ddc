#include "CompareBar.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/model/DeliverableSpec.h"

#include <algorithm>
#include <cmath>

namespace lathe::ui {

QString CompareBar::sourceTitle(core::MonitorSource source) {
    switch (source) {
    case core::MonitorSource::Mix:
        return tr("Mix");
    case core::MonitorSource::StereoMaster:
        return tr("Stereo master");
    case core::MonitorSource::StemMaster:
        return tr("Stem master");
    case core::MonitorSource::Reference:
        return tr("Reference");
    case core::MonitorSource::Delta:
        return tr("Delta");
    case core::MonitorSource::Codec:
        return tr("Codec");
    }
    return {};
}

QString CompareBar::codecTitle(const core::DeliverableSpec& spec) {
    const core::DeliverableSpec c = core::withCodecDefaults(spec);
    const QString name = c.format == "mp3"    ? QStringLiteral("MP3")
                         : c.format == "aac"  ? QStringLiteral("AAC")
                         : c.format == "opus" ? QStringLiteral("Opus")
                                              : QStringLiteral("Vorbis");
    if (c.format == "vorbis") return QStringLiteral("%1 q%2").arg(name).arg(c.quality);
    return tr("%1 %2 kb/s").arg(name).arg(c.kbps);
}

QString CompareBar::playbackSystemTitle(dsp::PlaybackSystem system) {
    switch (system) {
    case dsp::PlaybackSystem::Flat:
        return tr("Flat (studio)");
    case dsp::PlaybackSystem::PhoneSpeaker:
        return tr("Phone speaker");
    case dsp::PlaybackSystem::LaptopSpeakers:
        return tr("Laptop speakers");
    case dsp::PlaybackSystem::Earbuds:
        return tr("Earbuds");
    case dsp::PlaybackSystem::Car:
        return tr("Car");
    }
    return {};
}

CompareBar::CompareBar(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(4);
    // The bar's minimum is that of two rows of three (minimumSizeHint), whatever it shows now: six in a row
    // must not stop the window from narrowing to where three fit.
    layout->setSizeConstraint(QLayout::SetNoConstraint);
    grid_ = new QGridLayout;
    grid_->setSpacing(4);
    layout->addLayout(grid_);
    controls_ = new QGridLayout;
    controls_->setHorizontalSpacing(12);
    controls_->setVerticalSpacing(2);
    layout->addLayout(controls_);
    options_ = new QWidget(this);
    auto* options = new QHBoxLayout(options_);
    options->setContentsMargins(0, 0, 0, 0);
    options->setSpacing(6);
    group_ = new QButtonGroup(this);
    group_->setExclusive(true);
    for (int i = 0; i < core::kMonitorSourceCount; ++i) {
        const auto source = static_cast<core::MonitorSource>(i);
        auto* button = new QToolButton(this);
        button->setObjectName(QStringLiteral("compareButton"));
        button->setCheckable(true);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        buttons_[i] = button;
        group_->addButton(button, i);
        figures_[i] = {false, NAN, NAN};
        setSourceInfo(source, false, NAN, NAN);
    }
    match_ = new QCheckBox(tr("Loudness match"), options_);
    match_->setToolTip(
        tr("Play every source at the same integrated loudness, so you compare sound, not level. "
           "The meters read the source itself, before this gain."));
    match_->setChecked(true);
    monitorGain_ = new QLabel(options_);
    monitorGain_->setObjectName(QStringLiteral("monitorGain"));
    monitorGain_->setToolTip(tr("What loudness matching does to the current source on its way to the "
                                "speakers; the meters and the figures above read the source before it"));
    setMonitorGainDb(0.0);
    options->addStretch(1);
    options->addWidget(match_);
    options->addWidget(monitorGain_);
    listenOn_ = new QComboBox(options_);
    listenOn_->setObjectName(QStringLiteral("listenOn"));
    for (int i = 0; i < dsp::kPlaybackSystemCount; ++i) {
        const auto system = static_cast<dsp::PlaybackSystem>(i);
        listenOn_->addItem(playbackSystemTitle(system), i);
    }
    listenOn_->setToolTip(tr("Hear the source as a small playback system would play it (the meters still "
                             "read the source itself). Flat is the studio monitors, untouched."));
    codecBox_ = new QComboBox(options_);
    codecBox_->setObjectName(QStringLiteral("codecPreview"));
    // What streaming services and references use, high to low: a working set, not every setting.
    for (const char* spec : {"mp3:320", "mp3:256", "mp3:128", "aac:256", "aac:128", "opus:160", "opus:96",
                             "opus:64", "vorbis:8", "vorbis:5"})
        codecBox_->addItem(codecTitle(core::parseDeliverableSpec(spec)), QString::fromLatin1(spec));
    codecBox_->setToolTip(tr("The codec the codec source (6) plays the stereo master through, encoded and "
                             "decoded as the render makes that deliverable. A new choice is made in the "
                             "background; the previous one plays until it is ready."));
    auto* codecLabel = new QLabel(tr("Codec"), options_);
    codecLabel->setBuddy(codecBox_);
    options->addSpacing(8);
    options->addWidget(codecLabel);
    options->addWidget(codecBox_);
    connect(codecBox_, &QComboBox::currentIndexChanged, this, [this](int) {
        updateButtonText(core::MonitorSource::Codec);
        emit codecSelected(codec());
    });
    auto* listenLabel = new QLabel(tr("Listen on"), options_);
    listenLabel->setBuddy(listenOn_);
    options->addSpacing(8);
    options->addWidget(listenLabel);
    options->addWidget(listenOn_);
    controls_->addWidget(options_, 0, 1);
    connect(listenOn_, &QComboBox::currentIndexChanged, this, [this](int) {
        emit playbackSystemSelected(static_cast<dsp::PlaybackSystem>(listenOn_->currentData().toInt()));
    });
    buttons_[0]->setChecked(true);

    connect(group_, &QButtonGroup::idClicked, this, [this](int id) {
        current_ = static_cast<core::MonitorSource>(id);
        emit sourceSelected(current_);
    });
    connect(match_, &QCheckBox::toggled, this, &CompareBar::loudnessMatchToggled);
    arrange(core::kMonitorSourceCount);
}

void CompareBar::setLeadingWidget(QWidget* widget) {
    widget->setParent(this);
    leading_ = widget;
    controls_->addWidget(widget, 0, 0);
    const int columns = columns_;
    columns_ = 0;
    arrange(columns);
}

bool CompareBar::dependsOnProcessing(core::MonitorSource source) {
    return source != core::MonitorSource::Mix && source != core::MonitorSource::Reference;
}

int CompareBar::columnsFor(int width) const {
    int widest = 0;
    for (QToolButton* b : buttons_)
        widest = std::max(widest, b->minimumWidth());
    const QMargins m = layout()->contentsMargins();
    const int six = core::kMonitorSourceCount * widest + (core::kMonitorSourceCount - 1) * grid_->spacing() +
                    m.left() + m.right();
    return width >= six ? core::kMonitorSourceCount : core::kMonitorSourceCount / 2;
}

QSize CompareBar::minimumSizeHint() const {
    int widest = 0;
    for (QToolButton* b : buttons_)
        widest = std::max(widest, b->minimumWidth());
    const QMargins m = layout()->contentsMargins();
    const int three = 3 * widest + 2 * grid_->spacing() + m.left() + m.right();
    return {std::max(three, options_->minimumSizeHint().width() + m.left() + m.right()),
            layout()->minimumSize().height()};
}

void CompareBar::arrange(int columns) {
    if (columns == columns_) return;
    columns_ = columns;
    for (QToolButton* b : buttons_)
        grid_->removeWidget(b);
    for (int i = 0; i < core::kMonitorSourceCount; ++i)
        grid_->addWidget(buttons_[i], i / columns, i % columns);
    for (int c = 0; c < core::kMonitorSourceCount; ++c)
        grid_->setColumnStretch(c, c < columns ? 1 : 0);
    // Wide: the transport and the options share a row; narrow: each has its own.
    controls_->removeWidget(options_);
    if (leading_) controls_->removeWidget(leading_);
    const bool wide = columns == core::kMonitorSourceCount;
    if (leading_) controls_->addWidget(leading_, 0, 0);
    controls_->addWidget(options_, wide || !leading_ ? 0 : 1, wide || !leading_ ? 1 : 0);
    controls_->setColumnStretch(0, 1);
    controls_->setColumnStretch(1, wide ? 1 : 0);
    updateGeometry();
}

void CompareBar::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    arrange(columnsFor(width()));
}

void CompareBar::setCurrentSource(core::MonitorSource source) {
    current_ = source;
    const QSignalBlocker block(group_);
    buttons_[static_cast<int>(source)]->setChecked(true);
}

void CompareBar::setSourceInfo(core::MonitorSource source, bool available, double integratedLufs,
                               double truePeakDbtp) {
    figures_[static_cast<int>(source)] = {available, integratedLufs, truePeakDbtp};
    updateButtonText(source);
}

void CompareBar::setMeasuring(bool measuring, bool everySource) {
    measuring_ = measuring;
    measuringEvery_ = measuring && everySource;
    for (int i = 0; i < core::kMonitorSourceCount; ++i)
        updateButtonText(static_cast<core::MonitorSource>(i));
}

void CompareBar::updateButtonText(core::MonitorSource source) {
    const int index = static_cast<int>(source);
    const Figures& f = figures_[index];
    QToolButton* button = buttons_[index];
    // Below BS.1770's absolute gate (-70 LUFS) there is no loudness to show: the delta of stems that null
    // against the mix lands here, and "silent" says that better than -200.
    constexpr double kSilentLufs = -70.0;
    QString figures = QStringLiteral("—");
    if (f.available && measuring_ && (measuringEvery_ || dependsOnProcessing(source)))
        figures = tr("measuring…");
    else if (source == core::MonitorSource::Codec && codecBuilding_)
        figures = tr("building…");
    else if (f.available && std::isfinite(f.integratedLufs) && f.integratedLufs > kSilentLufs)
        figures = QStringLiteral("%1 LUFS · %2 dBTP")
                      .arg(f.integratedLufs, 0, 'f', 1)
                      .arg(std::isfinite(f.truePeakDbtp) && f.truePeakDbtp > -150
                               ? QString::number(f.truePeakDbtp, 'f', 1)
                               : QStringLiteral("—"));
    else if (f.available)
        figures = tr("silent (nulls)");
    const QString title = source == core::MonitorSource::Codec && codecBox_
                              ? QStringLiteral("%1 · %2").arg(sourceTitle(source), codecTitle(codec()))
                              : sourceTitle(source);
    button->setText(QStringLiteral("%1  %2\n%3").arg(index + 1).arg(title, figures));
    // Never narrower than its longest possible line, so a figure is never clipped (its minus sign
    // least of all): the widest figures the button can show, whatever it shows now.
    const QString widest = QStringLiteral("%1  %2\n-188.8 LUFS · -188.8 dBTP").arg(index + 1).arg(title);
    const QString shown = button->text();
    button->setText(widest);
    button->ensurePolished();
    const int need = button->sizeHint().width();
    button->setText(shown);
    button->setMinimumWidth(need);
    button->setEnabled(f.available);
    QString tip = f.available
                      ? tr("Listen to the %1 (key %2)").arg(sourceTitle(source).toLower()).arg(index + 1)
                      : tr("%1: not available for this session").arg(sourceTitle(source));
    if (source == core::MonitorSource::Codec)
        tip += tr("\nThe stereo master as played at load, after a round trip through the codec chosen beside "
                  "it (%1), encoded and decoded as the render makes that deliverable: what lossy streaming "
                  "does to it.")
                   .arg(codecBox_ ? codecTitle(codec()) : QString());
    button->setToolTip(tip);
}

void CompareBar::setCodec(const core::DeliverableSpec& spec) {
    const QString text = QString::fromStdString(core::deliverableSpecText(core::withCodecDefaults(spec)));
    const QSignalBlocker block(codecBox_);
    int index = codecBox_->findData(text);
    if (index < 0) {
        codecBox_->addItem(codecTitle(spec), text);
        index = codecBox_->count() - 1;
    }
    codecBox_->setCurrentIndex(index);
    updateButtonText(core::MonitorSource::Codec);
}

core::DeliverableSpec CompareBar::codec() const {
    return core::parseDeliverableSpec(codecBox_->currentData().toString().toStdString());
}

void CompareBar::setCodecBuilding(bool building) {
    if (building == codecBuilding_) return;
    codecBuilding_ = building;
    updateButtonText(core::MonitorSource::Codec);
}

void CompareBar::setMonitorGainDb(double db) {
    if (!match_->isChecked()) {
        monitorGain_->setText(tr("monitor 0.0 dB"));
        return;
    }
    // "-0.0" says nothing a plain 0.0 does not.
    const double shown = std::abs(db) < 0.05 ? 0.0 : db;
    monitorGain_->setText(tr("monitor %1 dB").arg(shown, 0, 'f', 1));
}

void CompareBar::setLoudnessMatch(bool enabled) {
    const QSignalBlocker block(match_);
    match_->setChecked(enabled);
}

void CompareBar::setPlaybackSystem(dsp::PlaybackSystem system) {
    const QSignalBlocker block(listenOn_);
    listenOn_->setCurrentIndex(std::max(0, listenOn_->findData(static_cast<int>(system))));
}

dsp::PlaybackSystem CompareBar::playbackSystem() const {
    return static_cast<dsp::PlaybackSystem>(listenOn_->currentData().toInt());
}

bool CompareBar::loudnessMatch() const {
    return match_->isChecked();
}

} // namespace lathe::ui
