#include "MultibandPanel.h"

#include "GainReductionMeter.h"

#include "CompressorPanel.h"
#include "SessionDocument.h"

#include "core/model/Session.h"
#include "core/model/SessionDefaults.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

namespace lathe::ui {

namespace {

// A control built for band or crossover k may outlive a change of band count by one signal delivery: its
// accessor then reads and writes a scratch value, which no edit ever keeps.
template <typename T>
T& at(std::vector<T>& values, int index) {
    static thread_local T scratch{};
    if (index < 0 || index >= static_cast<int>(values.size())) {
        scratch = T{};
        return scratch;
    }
    return values[static_cast<size_t>(index)];
}

QString bandName(int band, int bands) {
    if (band == 0) return QObject::tr("Low");
    if (band == bands - 1) return QObject::tr("High");
    if (bands == 3) return QObject::tr("Mid");
    return band == 1 ? QObject::tr("Low-mid") : QObject::tr("High-mid");
}

} // namespace

void MultibandPanel::setBandGainReductionDb(int band, double db) {
    if (GainReductionMeter* meter = meters_.value(band)) meter->setGainReductionDb(db);
}

std::vector<double> MultibandPanel::defaultCrossovers(int bands) {
    if (bands <= 2) return {200};
    if (bands == 3) return {150, 2500};
    return {120, 1000, 5000};
}

MultibandPanel::MultibandPanel(SessionDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* head = new QHBoxLayout;
    count_ = new QComboBox(this);
    count_->setObjectName(QStringLiteral("multibandBandCount"));
    for (int n = 2; n <= 4; ++n)
        count_->addItem(tr("%1 bands").arg(n), n);
    count_->setToolTip(tr("A new band count starts from default crossovers and gentle band settings"));
    head->addWidget(count_);
    head->addStretch(1);
    layout->addLayout(head);
    connect(count_, &QComboBox::currentIndexChanged, this, [this](int) {
        const int bands = count_->currentData().toInt();
        const bool taken = document_->edit(tr("Multiband band count"), [bands](core::Session& s) {
            auto& m = s.master.multiband;
            if (static_cast<int>(m.bands.size()) == bands) return;
            m.crossovers_hz = defaultCrossovers(bands);
            m.bands = core::defaultMultibandBands(bands);
        });
        if (!taken) refresh();
    });
    // Connected before any row binds: the rows are rebuilt for a new band count before they refresh.
    connect(document_, &SessionDocument::sessionChanged, this, &MultibandPanel::refresh);
    refresh();
}

void MultibandPanel::refresh() {
    if (!document_->isOpen()) return;
    const core::MultibandSettings& m = document_->session().master.multiband;
    const int bands = static_cast<int>(m.bands.size());
    {
        const QSignalBlocker block(count_);
        count_->setCurrentIndex(std::max(0, count_->findData(bands)));
    }
    if (bands != bandCount() || !rows_) rebuildRows(bands);
    // Each split stays between its neighbours (at least 1 Hz apart), so a box cannot offer a value the
    // session would refuse. Ranges first, quietly: the bindings set the values after this.
    for (int k = 0; k < crossovers_.size(); ++k) {
        const double low = k == 0 ? 20.0 : m.crossovers_hz[static_cast<size_t>(k - 1)] + 1.0;
        const double high = k + 1 < static_cast<int>(m.crossovers_hz.size())
                                ? m.crossovers_hz[static_cast<size_t>(k + 1)] - 1.0
                                : 20000.0;
        const QSignalBlocker block(crossovers_[k]);
        crossovers_[k]->setRange(low, std::max(low, high));
        crossovers_[k]->setValue(m.crossovers_hz[static_cast<size_t>(k)]);
    }
}

void MultibandPanel::rebuildRows(int bands) {
    if (rows_) {
        rows_->hide();
        rows_->deleteLater();
    }
    crossovers_.clear();
    meters_.clear();
    details_.clear();
    thresholds_.clear();
    ratios_.clear();
    enabled_.clear();
    rows_ = new QWidget(this);
    layout()->addWidget(rows_);
    auto* grid = new QGridLayout(rows_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setVerticalSpacing(3);
    auto* thresholdHead = new QLabel(tr("Threshold"), rows_);
    auto* ratioHead = new QLabel(tr("Ratio"), rows_);
    thresholdHead->setObjectName(QStringLiteral("dimLabel"));
    ratioHead->setObjectName(QStringLiteral("dimLabel"));
    grid->addWidget(thresholdHead, 0, 1);
    grid->addWidget(ratioHead, 0, 2);
    int row = 1;
    using core::Session;
    for (int b = 0; b < bands; ++b) {
        const QString name = bandName(b, bands);
        auto* on = new QCheckBox(name, rows_);
        on->setToolTip(tr("%1 band on/off (off: the band passes unchanged)").arg(name));
        auto* threshold = makeParameterSpin(-96, 0, 0.5, 1, tr(" dB"), rows_);
        auto* ratio = makeParameterSpin(1, 100, 0.1, 2, tr(":1"), rows_);
        threshold->setObjectName(QStringLiteral("bandThreshold%1").arg(b));
        ratio->setObjectName(QStringLiteral("bandRatio%1").arg(b));
        auto* meter = new GainReductionMeter(Qt::Horizontal, rows_);
        meter->setObjectName(QStringLiteral("bandMeter%1").arg(b));
        meter->setToolTip(tr("%1 band gain reduction").arg(name));
        meter->setMinimumWidth(40);
        auto* more = new QToolButton(rows_);
        more->setObjectName(QStringLiteral("bandDetails%1").arg(b));
        more->setText(QStringLiteral("\u2026"));
        more->setToolTip(tr("Every setting of the %1 band: knee, attack, release, makeup, detection, stereo "
                            "link, side-chain high-pass")
                             .arg(name.toLower()));
        auto* popup = new QFrame(rows_, Qt::Popup);
        popup->setFrameShape(QFrame::StyledPanel);
        auto* popupLayout = new QVBoxLayout(popup);
        popupLayout->addWidget(new QLabel(tr("<b>Multiband · %1 band</b>").arg(name), popup));
        auto* details = new CompressorPanel(
            document_,
            [b](Session& s) -> core::CompressorSettings& { return at(s.master.multiband.bands, b); },
            tr("multiband %1").arg(name.toLower()), 1, popup);
        popupLayout->addWidget(details);
        connect(more, &QToolButton::clicked, popup, [popup, more] {
            popup->adjustSize();
            popup->move(more->mapToGlobal(QPoint(more->width(), 0)));
            popup->show();
        });
        grid->addWidget(on, row, 0);
        grid->addWidget(threshold, row, 1);
        grid->addWidget(ratio, row, 2);
        grid->addWidget(meter, row, 3);
        grid->addWidget(more, row, 4);
        meters_ << meter;
        details_ << details;
        ++row;
        bindFlag(
            document_, on, [b](Session& s) -> bool& { return at(s.master.multiband.bands, b).enabled; },
            tr("Multiband %1 on/off").arg(name));
        bindNumber(
            document_, threshold,
            [b](Session& s) -> double& { return at(s.master.multiband.bands, b).threshold_db; },
            tr("Multiband %1 threshold").arg(name));
        bindNumber(
            document_, ratio, [b](Session& s) -> double& { return at(s.master.multiband.bands, b).ratio; },
            tr("Multiband %1 ratio").arg(name));
        enabled_ << on;
        thresholds_ << threshold;
        ratios_ << ratio;
        if (b + 1 < bands) {
            auto* label = new QLabel(tr("  split"), rows_);
            label->setObjectName(QStringLiteral("dimLabel"));
            auto* crossover = makeParameterSpin(20, 20000, 10, 0, tr(" Hz"), rows_);
            crossover->setObjectName(QStringLiteral("crossover%1").arg(b));
            crossover->setToolTip(tr("Crossover between the %1 and %2 bands (Linkwitz-Riley)")
                                      .arg(name.toLower(), bandName(b + 1, bands).toLower()));
            grid->addWidget(label, row, 0);
            grid->addWidget(crossover, row, 1, 1, 2);
            ++row;
            bindNumber(
                document_, crossover,
                [b](Session& s) -> double& { return at(s.master.multiband.crossovers_hz, b); },
                tr("Crossover %1").arg(b + 1));
            crossovers_ << crossover;
        }
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
}

} // namespace lathe::ui
