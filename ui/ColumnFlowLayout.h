#pragma once

#include <QLayout>
#include <QList>

#include <vector>

namespace lathe::ui {

// Lays its widgets out top to bottom, in order, in as many columns as the width holds at minColumnWidth each
// (up to maxColumns): a narrow panel is one column that scrolls, a wide one spreads its groups side by side
// instead of leaving the width empty. The items are cut into columns where the tallest column is shortest;
// in each column the height left over goes to the items that expand vertically (an EQ curve grows), or
// stays under the column when none does. Hidden widgets take no place.
class ColumnFlowLayout : public QLayout {
public:
    ColumnFlowLayout(QWidget* parent, int minColumnWidth, int maxColumns);
    ~ColumnFlowLayout() override;

    void addItem(QLayoutItem* item) override;
    int count() const override { return static_cast<int>(items_.size()); }
    QLayoutItem* itemAt(int index) const override;
    QLayoutItem* takeAt(int index) override;

    Qt::Orientations expandingDirections() const override { return Qt::Horizontal | Qt::Vertical; }
    bool hasHeightForWidth() const override { return true; }
    // The height the columns need at this width (margins included).
    int heightForWidth(int width) const override;
    QSize minimumSize() const override;
    QSize sizeHint() const override;
    void setGeometry(const QRect& rect) override;
    void invalidate() override;

    // How many columns a width holds (margins included), before the item count limits it.
    int columnsFor(int width) const;
    // The columns of the last layout pass.
    int columnCount() const { return laidOutColumns_; }

private:
    struct Plan {
        std::vector<QLayoutItem*> items; // the visible ones, in order
        std::vector<int> columnOf;       // per item
        std::vector<int> heights;        // per item, at the column width
        int columns = 1;
        int columnWidth = 0;
        int height = 0; // of the tallest column, contents only
    };
    Plan plan(int contentsWidth) const;

    QList<QLayoutItem*> items_;
    int minColumnWidth_;
    int maxColumns_;
    int laidOutColumns_ = 1;
    mutable int cachedWidth_ = -1;
    mutable int cachedHeight_ = -1;
};

} // namespace lathe::ui
