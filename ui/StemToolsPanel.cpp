#include "StemToolsPanel.h"

#include "DynamicEqEditor.h"
#include "GainReductionMeter.h"
#include "SessionDocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace lathe::ui {

namespace {

core::StemSettings& stemOf(core::Session& s, int stem) {
    thread_local core::StemSettings scratch; // a stem gone since the controls were built: edits drop
    if (stem < 0 || stem >= static_cast<int>(s.stems.size())) {
        scratch = {};
        return scratch;
    }
    return s.stems[static_cast<size_t>(stem)];
}

} // namespace

StemToolsPanel::StemToolsPanel(SessionDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Tools for"), this));
    target_ = new QComboBox(this);
    target_->setObjectName(QStringLiteral("stemToolsTarget"));
    top->addWidget(target_);
    top->addStretch(1);
    layout->addLayout(top);
    stemGroup_ = new QGroupBox(tr("Stem"), this);
    new QVBoxLayout(stemGroup_);
    layout->addWidget(stemGroup_);
    auto* eqGroup = new QGroupBox(tr("Dynamic EQ"), this);
    auto* eqLayout = new QVBoxLayout(eqGroup);
    dynamicEq_ = new DynamicEqEditor(document_, eqGroup);
    eqLayout->addWidget(dynamicEq_);
    layout->addWidget(eqGroup);
    layout->addStretch(1);
    connect(target_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0) setStem(target_->itemData(index).toInt());
    });
    connect(document_, &SessionDocument::sessionChanged, this, [this] {
        rebuildTargets();
        rebindStem();
    });
    rebuildTargets();
    rebindStem();
}

void StemToolsPanel::rebuildTargets() {
    const QSignalBlocker block(target_);
    target_->clear();
    target_->addItem(tr("Master"), -1);
    if (document_->isOpen())
        for (int i = 0; i < static_cast<int>(document_->session().stems.size()); ++i)
            target_->addItem(QString::fromStdString(document_->session().stems[static_cast<size_t>(i)].id),
                             i);
    const int found = target_->findData(stem_);
    if (found < 0) stem_ = -1;
    target_->setCurrentIndex(std::max(found, 0));
}

void StemToolsPanel::setStem(int stem) {
    stem_ = stem;
    const int found = target_->findData(stem);
    if (found >= 0 && target_->currentIndex() != found) {
        const QSignalBlocker block(target_);
        target_->setCurrentIndex(found);
    }
    dynamicEq_->setStem(stem_);
    rebindStem();
}

// The stem's controls hold its index in their bindings: rebuilt when the stem or the stems' ids change.
void StemToolsPanel::rebindStem() {
    QString signature = QString::number(stem_);
    if (document_->isOpen())
        for (const auto& s : document_->session().stems)
            signature += QLatin1Char('/') + QString::fromStdString(s.id);
    if (signature == builtFor_) return;
    builtFor_ = signature;
    if (stemControls_) stemControls_->deleteLater();
    stemControls_ = nullptr;
    peakOn_ = nullptr;
    peakCeiling_ = nullptr;
    peakOversampling_ = nullptr;
    compressorKey_ = nullptr;
    peakMeter_ = nullptr;
    stemGroup_->setVisible(stem_ >= 0 && document_->isOpen());
    if (stem_ < 0 || !document_->isOpen()) return;

    const int i = stem_;
    stemControls_ = new QWidget(stemGroup_);
    stemGroup_->layout()->addWidget(stemControls_);
    auto* form = new QFormLayout(stemControls_);

    compressorKey_ = new QComboBox(stemControls_);
    compressorKey_->setObjectName(QStringLiteral("compressorKey"));
    compressorKey_->setToolTip(tr("What the stem's compressor listens to: the stem itself, or another stem's "
                                  "source (duck the bass when the kick hits)"));
    compressorKey_->addItem(tr("self"), QStringLiteral("self"));
    const auto& stems = document_->session().stems;
    for (int k = 0; k < static_cast<int>(stems.size()); ++k)
        if (k != i) {
            const QString id = QString::fromStdString(stems[static_cast<size_t>(k)].id);
            compressorKey_->addItem(id, id);
        }
    bindText(
        document_, compressorKey_,
        [i](core::Session& s) -> std::string& { return stemOf(s, i).compressor.key; },
        tr("Compressor sidechain source"));
    form->addRow(tr("Compressor key"), compressorKey_);

    auto* peakRow = new QHBoxLayout;
    peakOn_ = new QCheckBox(tr("Peak control"), stemControls_);
    peakOn_->setObjectName(QStringLiteral("peakControl"));
    peakOn_->setToolTip(tr("An oversampled soft clipper and fast limiter on this stem: tames the transients "
                           "that would drive the master limiter"));
    bindFlag(
        document_, peakOn_, [i](core::Session& s) -> bool& { return stemOf(s, i).peak_control.enabled; },
        tr("Peak control"));
    peakCeiling_ = new QDoubleSpinBox(stemControls_);
    peakCeiling_->setRange(-40, 0);
    peakCeiling_->setDecimals(1);
    peakCeiling_->setSuffix(tr(" dBTP"));
    peakCeiling_->setKeyboardTracking(false);
    bindNumber(
        document_, peakCeiling_,
        [i](core::Session& s) -> double& { return stemOf(s, i).peak_control.ceiling_dbtp; },
        tr("Peak control ceiling"));
    peakOversampling_ = new QComboBox(stemControls_);
    for (int factor : {1, 2, 4, 8})
        peakOversampling_->addItem(tr("%1x").arg(factor), factor);
    bindChoice(
        document_, peakOversampling_,
        [i](core::Session& s) -> int& { return stemOf(s, i).peak_control.oversampling; },
        tr("Peak control oversampling"));
    peakMeter_ = new GainReductionMeter(Qt::Horizontal, stemControls_);
    peakMeter_->setMinimumWidth(60);
    peakRow->addWidget(peakOn_);
    peakRow->addWidget(peakCeiling_);
    peakRow->addWidget(peakOversampling_);
    peakRow->addWidget(peakMeter_, 1);
    form->addRow(peakRow);
}

void StemToolsPanel::setMeters(const core::MeterFrame& frame) {
    if (stem_ < 0) {
        dynamicEq_->setBandGainsDb(frame.masterDynamicEqGainDb, core::MeterFrame::kMaxMeteredBands);
        return;
    }
    const bool metered = stem_ < std::min(frame.numStems, core::MeterFrame::kMaxMeteredStems);
    const float none[core::MeterFrame::kMaxMeteredBands] = {};
    dynamicEq_->setBandGainsDb(metered ? frame.stemDynamicEqGainDb[stem_] : none,
                               core::MeterFrame::kMaxMeteredBands);
    if (peakMeter_) peakMeter_->setGainReductionDb(metered ? frame.stemPeakReductionDb[stem_] : 0.0f);
}

} // namespace lathe::ui
