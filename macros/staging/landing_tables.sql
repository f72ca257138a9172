{#
    The landing tables, once: each raw table of the sources with its base model (staging's
    first step, where rows are typed and quarantined), its staging model, its key, the
    intermediate model of its referential checks (if any), and whether its load times bound
    the as-of dates of the ML features. The audit models and int_ml__as_of_bounds read this
    list, so a new landing table is added here and nowhere else.
#}
{% macro landing_tables() -%}
    {{ return([
        {'source': 'shop', 'table': 'customers_cdc', 'base_model': 'base_shop__customer_changes',
         'staging_model': 'stg_shop__customer_changes', 'key': 'customer_id', 'checked_model': none,
         'bounds_features': true},
        {'source': 'shop', 'table': 'products', 'base_model': 'base_shop__products',
         'staging_model': 'stg_shop__products', 'key': 'product_id', 'checked_model': none,
         'bounds_features': false},
        {'source': 'shop', 'table': 'orders', 'base_model': 'base_shop__orders',
         'staging_model': 'stg_shop__orders', 'key': 'order_id', 'checked_model': 'int_shop__orders_checked',
         'bounds_features': true},
        {'source': 'shop', 'table': 'order_items', 'base_model': 'base_shop__order_items',
         'staging_model': 'stg_shop__order_items', 'key': 'order_item_id',
         'checked_model': 'int_shop__order_items_checked', 'bounds_features': true},
        {'source': 'shop', 'table': 'payments', 'base_model': 'base_shop__payments',
         'staging_model': 'stg_shop__payments', 'key': 'payment_id', 'checked_model': 'int_shop__payments_checked',
         'bounds_features': true},
        {'source': 'web', 'table': 'events', 'base_model': 'base_web__events',
         'staging_model': 'stg_web__events', 'key': 'event_id', 'checked_model': none,
         'bounds_features': true},
    ]) }}
{%- endmacro %}
