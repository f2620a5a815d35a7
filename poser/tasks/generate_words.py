"""Word lists the sample-data generator draws from: a grocery store's departments, the
kinds of items each sells with their usual sizes and prices, brands and distributors.

All names are made up. Data, not code: extend the lists freely; the generator's output
for a given seed changes when they do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    noun: str
    sizes: tuple[str, ...]
    low: float  # the usual range of its regular price
    high: float


@dataclass(frozen=True)
class DepartmentWords:
    number: int
    name: str
    share: float  # of all products
    margin: tuple[float, float]  # the range of target margins, as fractions of the price
    packs: tuple[int, ...]  # usual case sizes
    items: tuple[Item, ...]
    kinds: tuple[str, ...]  # first word of a description ("" for none)
    variants: tuple[str, ...]  # second word (a flavor, a cut, a scent...)
    brand_suffixes: tuple[str, ...]
    weighed: bool = False  # sold by the pound: fractional quantities on hand


def _items(*rows: tuple[str, str, float, float]) -> tuple[Item, ...]:
    return tuple(Item(noun, tuple(sizes.split("|")), low, high) for noun, sizes, low, high in rows)


# fmt: off
# One department or list per block reads better than one word per line.
_ORGANIC = ("", "", "", "Organic", "Natural", "Classic", "Family Size", "Value Pack")

DEPARTMENTS: tuple[DepartmentWords, ...] = (
    DepartmentWords(
        1, "Grocery", 0.24, (0.22, 0.36), (6, 12, 12, 24),
        _items(
            ("Pasta", "16 oz|32 oz", 1.29, 3.99), ("Marinara Sauce", "24 oz|32 oz", 2.49, 6.99),
            ("Peanut Butter", "16 oz|28 oz", 2.99, 7.49),
            ("Black Beans", "15 oz|29 oz", 0.89, 2.49),
            ("Chicken Broth", "32 oz", 1.99, 4.49), ("Cereal", "12 oz|18 oz", 2.99, 5.99),
            ("Olive Oil", "16.9 fl oz|33.8 fl oz", 6.99, 16.99), ("Rice", "2 lb|5 lb", 1.99, 8.99),
            ("Tortilla Chips", "11 oz|13 oz", 2.99, 4.99),
            ("Ground Coffee", "12 oz|2 lb", 6.99, 15.99),
            ("Black Tea", "20 ct|40 ct", 2.99, 6.49), ("Salsa", "16 oz|24 oz", 2.99, 5.49),
            ("Granola Bars", "6 ct|12 ct", 2.99, 6.99), ("Crackers", "8 oz|13.7 oz", 2.49, 4.99),
            ("Honey", "12 oz|24 oz", 4.99, 12.99), ("Soup", "15 oz|18.6 oz", 1.49, 3.99),
        ),
        _ORGANIC,
        ("", "", "Spicy", "Low Sodium", "Original", "Gluten Free", "Roasted Garlic", "Whole Grain",
         "Lightly Salted", "Italian Style"),
        ("Pantry", "Kitchen", "Provisions", "Foods", "Table"),
    ),
    DepartmentWords(
        2, "Dairy", 0.08, (0.18, 0.30), (6, 12, 4),
        _items(
            ("Whole Milk", "1 gal|half gal|1 qt", 2.49, 6.49),
            ("Greek Yogurt", "5.3 oz|32 oz", 1.19, 6.99),
            ("Cheddar Cheese", "8 oz|16 oz", 3.49, 7.99), ("Butter", "8 oz|16 oz", 3.99, 7.49),
            ("Large Eggs", "12 ct|18 ct", 2.99, 6.99), ("Cream Cheese", "8 oz", 1.99, 3.99),
            ("Half & Half", "1 pt|1 qt", 2.29, 4.49), ("Oat Milk", "64 fl oz", 3.99, 5.99),
            ("Sour Cream", "16 oz", 1.99, 3.49), ("Mozzarella", "8 oz|16 oz", 3.49, 6.99),
        ),
        _ORGANIC,
        ("", "", "Vanilla", "Plain", "Strawberry", "Sharp", "Reduced Fat", "Lactose Free",
         "Unsalted", "Grassfed"),
        ("Dairy", "Creamery", "Farms", "Meadows"),
    ),
    DepartmentWords(
        3, "Frozen", 0.09, (0.25, 0.38), (6, 8, 12),
        _items(
            ("Pizza", "12 in|16 oz", 4.99, 9.99), ("Ice Cream", "1 pt|1.5 qt", 3.99, 7.99),
            ("Mixed Vegetables", "12 oz|32 oz", 1.49, 4.99), ("Waffles", "10 ct|24 ct", 2.49, 5.49),
            ("Burritos", "5 oz|6 ct", 1.99, 9.99), ("Blueberries", "10 oz|48 oz", 3.49, 11.99),
            ("Fish Sticks", "24 oz", 5.49, 8.99), ("Dumplings", "16 oz", 4.99, 8.49),
        ),
        _ORGANIC,
        ("", "", "Chocolate", "Pepperoni", "Margherita", "Mint Chip", "Bean & Cheese",
         "Steamable", "Homestyle", "Veggie"),
        ("Freezer", "Kitchen", "Frost", "Foods"),
    ),
    DepartmentWords(
        4, "Produce", 0.07, (0.32, 0.48), (1, 10, 20, 40),
        _items(
            ("Bananas", "per lb", 0.49, 0.99), ("Apples", "per lb|3 lb bag", 1.49, 5.99),
            ("Avocados", "each|4 ct", 0.99, 5.99), ("Baby Spinach", "5 oz|16 oz", 2.99, 6.99),
            ("Carrots", "1 lb|2 lb", 0.99, 2.99), ("Tomatoes", "per lb", 1.49, 3.99),
            ("Potatoes", "5 lb|per lb", 0.99, 5.99), ("Onions", "3 lb|per lb", 0.99, 4.49),
            ("Strawberries", "16 oz", 2.99, 5.99), ("Lemons", "each|2 lb bag", 0.59, 4.99),
        ),
        ("", "", "", "Organic", "Local", "Baby", "Fresh"),
        ("", "", "Gala", "Honeycrisp", "Roma", "Yellow", "Red", "Russet", "Hass", "Cherry"),
        ("Farms", "Orchards", "Growers", "Fields", "Gardens"),
        weighed=True,
    ),
    DepartmentWords(
        5, "Meat", 0.05, (0.20, 0.32), (1, 4, 10),
        _items(
            ("Ground Beef", "per lb|1 lb", 4.99, 8.99), ("Chicken Breast", "per lb", 3.49, 7.99),
            ("Pork Chops", "per lb", 3.99, 6.99), ("Bacon", "12 oz|16 oz", 4.99, 8.99),
            ("Italian Sausage", "16 oz", 4.49, 6.99), ("Ribeye Steak", "per lb", 11.99, 18.99),
        ),
        ("", "", "Organic", "Grassfed", "Free Range", "Natural"),
        ("", "", "Boneless", "Thick Cut", "85% Lean", "Mild", "Hot", "Smoked"),
        ("Ranch", "Meats", "Butcher", "Farms"),
        weighed=True,
    ),
    DepartmentWords(
        6, "Seafood", 0.02, (0.22, 0.35), (1, 10),
        _items(
            ("Salmon Fillet", "per lb", 9.99, 16.99), ("Shrimp", "per lb|12 oz", 8.99, 15.99),
            ("Cod Fillet", "per lb", 8.99, 13.99), ("Tuna Steak", "per lb", 12.99, 19.99),
        ),
        ("", "", "Wild", "Farmed", "Fresh"),
        ("", "", "Atlantic", "Sockeye", "Jumbo", "Peeled", "Pacific"),
        ("Seafood", "Fisheries", "Harbor", "Catch"),
        weighed=True,
    ),
    DepartmentWords(
        7, "Deli", 0.04, (0.35, 0.50), (1, 6),
        _items(
            ("Turkey Breast", "per lb", 7.99, 12.99), ("Hummus", "10 oz|17 oz", 2.99, 5.99),
            ("Swiss Cheese", "per lb", 7.99, 11.99), ("Chicken Salad", "per lb", 6.99, 9.99),
            ("Rotisserie Chicken", "each", 6.99, 9.99), ("Olives", "per lb|8 oz", 4.99, 10.99),
        ),
        ("", "", "Oven Roasted", "Smoked", "Classic", "Mediterranean"),
        ("", "", "Honey", "Garlic", "Kalamata", "Herb", "Lemon Pepper"),
        ("Deli", "Kitchen", "Market"),
        weighed=True,
    ),
    DepartmentWords(
        8, "Bakery", 0.04, (0.35, 0.55), (6, 8, 12),
        _items(
            ("Sandwich Bread", "20 oz|24 oz", 2.99, 5.99), ("Bagels", "6 ct", 3.49, 5.99),
            ("Muffins", "4 ct|6 ct", 3.99, 6.99), ("Tortillas", "10 ct|20 ct", 2.49, 4.99),
            ("Sourdough Loaf", "24 oz", 4.49, 7.49), ("Cookies", "12 ct", 3.99, 6.49),
        ),
        ("", "", "Organic", "Whole Wheat", "Artisan", "Gluten Free"),
        ("", "", "Blueberry", "Cinnamon Raisin", "Multigrain", "Everything", "Chocolate Chip"),
        ("Bakery", "Bakehouse", "Ovens", "Bread Co."),
    ),
    DepartmentWords(
        9, "Bulk", 0.04, (0.35, 0.50), (1, 5, 25),
        _items(
            ("Rolled Oats", "per lb", 1.29, 2.99), ("Almonds", "per lb", 6.99, 11.99),
            ("Trail Mix", "per lb", 5.99, 9.99), ("Brown Rice", "per lb", 1.49, 2.99),
            ("Lentils", "per lb", 1.49, 3.49), ("Granola", "per lb", 4.49, 7.99),
        ),
        ("", "", "Organic", "Raw", "Roasted"),
        ("", "", "Salted", "Unsalted", "Maple", "Red", "Green", "Tamari"),
        ("Bulk", "Mills", "Grains"),
        weighed=True,
    ),
    DepartmentWords(
        10, "Beer & Wine", 0.06, (0.18, 0.30), (6, 12, 24),
        _items(
            ("IPA", "6 pk 12 oz|12 pk 12 oz", 8.99, 19.99),
            ("Lager", "6 pk 12 oz|12 pk 12 oz", 7.99, 17.99),
            ("Cabernet Sauvignon", "750 ml", 8.99, 29.99), ("Pinot Grigio", "750 ml", 7.99, 19.99),
            ("Hard Cider", "6 pk 12 oz", 8.99, 12.99), ("Sparkling Wine", "750 ml", 9.99, 24.99),
        ),
        ("", "", "Reserve", "Craft", "Organic"),
        ("", "", "Hazy", "Session", "Dry", "Vintage", "Barrel Aged"),
        ("Brewing", "Vineyards", "Cellars", "Cidery"),
    ),
    DepartmentWords(
        11, "Health & Beauty", 0.09, (0.35, 0.50), (3, 6, 12),
        _items(
            ("Shampoo", "12 fl oz|16 fl oz", 4.99, 12.99), ("Toothpaste", "4 oz|6 oz", 2.99, 6.99),
            ("Bar Soap", "4 oz|3 ct", 2.49, 7.99), ("Deodorant", "2.25 oz", 4.99, 9.99),
            ("Body Lotion", "8 fl oz|16 fl oz", 5.99, 13.99), ("Lip Balm", "0.15 oz", 1.99, 4.49),
        ),
        ("", "", "Natural", "Unscented", "Sensitive"),
        ("", "", "Lavender", "Peppermint", "Coconut", "Tea Tree", "Citrus", "Aloe"),
        ("Naturals", "Botanicals", "Apothecary", "Essentials"),
    ),
    DepartmentWords(
        12, "Supplements", 0.05, (0.38, 0.52), (1, 6, 12),
        _items(
            ("Vitamin D3", "60 ct|120 ct", 6.99, 19.99),
            ("Multivitamin", "60 ct|90 ct", 9.99, 29.99),
            ("Fish Oil", "90 ct|180 ct", 12.99, 34.99), ("Probiotic", "30 ct|60 ct", 14.99, 39.99),
            ("Magnesium", "120 ct", 9.99, 22.99), ("Protein Powder", "16 oz|2 lb", 19.99, 44.99),
        ),
        ("", "", "Whole Food", "Vegan", "Extra Strength"),
        ("", "", "Women's", "Men's", "Chewable", "Vanilla", "Unflavored", "2000 IU"),
        ("Health", "Nutrition", "Wellness", "Labs"),
    ),
    DepartmentWords(
        13, "Household", 0.06, (0.28, 0.42), (6, 12),
        _items(
            ("Dish Soap", "25 fl oz", 2.99, 5.99),
            ("Laundry Detergent", "50 fl oz|100 fl oz", 8.99, 19.99),
            ("Paper Towels", "2 rolls|6 rolls", 3.49, 12.99),
            ("Trash Bags", "20 ct|45 ct", 5.99, 14.99),
            ("All Purpose Cleaner", "32 fl oz", 3.49, 6.99),
            ("Toilet Paper", "4 rolls|12 rolls", 4.99, 15.99),
        ),
        ("", "", "Free & Clear", "Eco", "Recycled"),
        ("", "", "Lemon", "Lavender", "Unscented", "Ultra", "Heavy Duty"),
        ("Home", "Household", "Clean"),
    ),
    DepartmentWords(
        14, "Pet", 0.04, (0.28, 0.40), (4, 6, 12),
        _items(
            ("Dry Dog Food", "5 lb|24 lb", 12.99, 54.99), ("Cat Food", "3 oz|5.5 oz", 0.99, 2.49),
            ("Dog Treats", "6 oz|12 oz", 4.99, 11.99), ("Cat Litter", "20 lb", 9.99, 19.99),
        ),
        ("", "", "Grain Free", "Natural", "Senior"),
        ("", "", "Chicken", "Salmon", "Lamb & Rice", "Turkey", "Clumping"),
        ("Pet", "Paws", "Companion"),
    ),
    DepartmentWords(
        15, "Baby", 0.03, (0.25, 0.38), (4, 6, 12),
        _items(
            ("Diapers", "size 1 32 ct|size 4 24 ct", 9.99, 16.99),
            ("Baby Wipes", "72 ct|216 ct", 2.99, 9.99),
            ("Baby Food", "4 oz|4.25 oz", 0.99, 2.49),
            ("Infant Formula", "12.9 oz|23.2 oz", 19.99, 39.99),
        ),
        ("", "", "Organic", "Sensitive", "Natural"),
        ("", "", "Apple", "Pear", "Sweet Potato", "Unscented", "Overnight"),
        ("Baby", "Little Ones", "Nursery"),
    ),
)

BRAND_PREFIXES = (
    "Green Valley", "Sunny", "Harvest", "Blue Ridge", "Golden", "Maple Hill", "Prairie",
    "Coastal", "River Bend", "Northern", "Cedar", "Silver Lake", "Red Barn", "Hillside",
    "Orchard Lane", "Wild Oak", "Evergreen", "Stone Creek", "Meadowbrook", "Summit",
    "Pine Grove", "Bay", "Heritage", "Willow", "Clearwater", "Oak Hollow", "Sweetwater",
    "High Plains", "Lakeview", "Juniper", "Copper Kettle", "Three Rivers", "Fox Run",
    "Morning Star", "Bramble", "Sage", "Riverside", "Old Mill", "Highland", "Sunrise",
)

# (code, name, the departments it supplies): broadline distributors supply many.
VENDORS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("GLNF", "Great Lakes Natural Foods", (1, 2, 3, 9, 11, 12, 13, 14, 15)),
    ("HVDI", "Hudson Valley Distributors", (1, 2, 3, 13)),
    ("PACP", "Pacific Coast Produce", (4,)),
    ("MWDY", "Midwest Dairy Cooperative", (2, 7)),
    ("NEGR", "New England Grocers Supply", (1, 3, 13, 14, 15)),
    ("SUNB", "Sunbelt Wholesale", (1, 3, 13)),
    ("CASC", "Cascade Organic Distribution", (1, 2, 4, 9)),
    ("RMTN", "Rocky Mountain Foods", (1, 5, 7)),
    ("ATLS", "Atlantic Seafood Company", (3, 6)),
    ("PRME", "Prime Meats Wholesale", (5, 7)),
    ("BKRS", "Bakers Alliance", (8,)),
    ("BRWD", "Brewers Direct", (10,)),
    ("VINO", "Vineyard Imports", (10,)),
    ("HLTH", "Wholesome Health Supply", (11, 12)),
    ("BEAU", "Natural Beauty Wholesale", (11,)),
    ("HOME", "Home Goods Distribution", (13,)),
    ("PETS", "Pet Supply Partners", (14,)),
    ("BABY", "Little Sprouts Supply", (11, 15)),
    ("FRZN", "Frozen Foods Express", (3,)),
    ("BULK", "Bulk Grains Trading", (1, 9)),
    ("DELI", "Deli Provisions Inc.", (7,)),
    ("FARM", "Family Farms Collective", (2, 4, 5)),
    ("SWST", "Southwest Specialty Foods", (1, 7)),
    ("GULF", "Gulf Coast Distributors", (1, 6)),
    ("CENT", "Central States Wholesale", (1, 2, 3, 13, 14)),
    ("ISLE", "Island Imports", (1, 10)),
    ("PLNS", "Great Plains Supply", (1, 9)),
    ("MTRO", "Metro Food Service", (1, 3, 5, 6, 7, 8)),
    ("CRST", "Crestview Distributors", (1, 13, 15)),
    ("LKSD", "Lakeside Wholesale Grocers", (1, 2, 3)),
    ("NTRL", "Naturally Good Distributors", (1, 11, 12)),
    ("ORGN", "Origin Specialty Imports", (1, 7, 10)),
    ("VLLY", "Valley Fresh Produce", (4,)),
    ("HRTH", "Hearth & Home Supply", (8, 13)),
    ("GRNL", "Greenleaf Wellness", (11, 12)),
    ("CRAF", "Craft Beverage Partners", (10,)),
    ("SEAS", "Seasonal Harvest Co.", (4, 8)),
    ("UNTY", "Unity Cooperative Warehouse", (1, 2, 3, 4, 9, 11, 12)),
    ("SPRT", "Spirit Valley Foods", (1, 3, 14)),
    ("KEYS", "Keystone Grocery Supply", (1, 2, 3, 13, 15)),
)
# fmt: on
