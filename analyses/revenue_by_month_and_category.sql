{#-
    Revenue by month and product category (the category the product had when it was sold),
    for the revenue dashboard. Lines of cancelled orders are left out, as in the semantic
    layer's item_revenue_usd; amounts in USD at the rate of the order month. One row per
    (month, category), with the category's share of the month.
-#}
with

order_items as (

    select * from {{ ref('obt_order_items') }}

),

kept_lines as (

    select
        order_month_start_date as order_month,
        product_category_name as category_name,
        order_id,
        quantity,
        line_amount_usd
    from order_items
    where not is_cancelled

),

by_month_and_category as (

    select
        order_month,
        category_name,
        count(distinct order_id) as order_count,
        sum(quantity) as units_sold,
        sum(line_amount_usd) as item_revenue_usd
    from kept_lines
    group by 1, 2

),

final as (

    select
        order_month,
        category_name,
        order_count,
        units_sold,
        item_revenue_usd,
        item_revenue_usd
        / sum(item_revenue_usd) over (partition by order_month) as share_of_month_revenue
    from by_month_and_category

)

select * from final
order by 1 asc, 5 desc
