{#- Each order line with its order, the customer and the product as they were when the order
    was placed, and the order date's calendar: one table, no joins needed. #}
with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.order_date,
        dates.calendar_year as order_year,
        dates.calendar_quarter as order_quarter,
        dates.month_of_year as order_month,
        dates.month_name as order_month_name,
        dates.month_start_date as order_month_start_date,
        dates.iso_week_of_year as order_iso_week,
        dates.day_name as order_day_name,
        dates.is_weekend as is_weekend_order,
        dates.fiscal_year as order_fiscal_year,
        dates.fiscal_quarter as order_fiscal_quarter,
        dates.is_complete_month as is_order_month_complete,
        orders.order_status,
        orders.placed_at,
        orders.paid_at,
        orders.shipped_at,
        orders.delivered_at,
        orders.is_cancelled,
        orders.is_returned,
        {#- the same as 0/1, which BI tools can average (cancellation and return rates) #}
        case when orders.is_cancelled then 1 else 0 end as cancelled_flag,
        case when orders.is_returned then 1 else 0 end as returned_flag,
        orders.currency,
        order_items.quantity,
        order_items.unit_price,
        order_items.discount_amount,
        order_items.line_amount,
        order_items.line_amount_usd,
        order_items.customer_id,
        customers.segment as customer_segment,
        customers.country_code as customer_country_code,
        customers.country_name as customer_country_name,
        customers.region as customer_region,
        customers.city as customer_city,
        customers.signed_up_at as customer_signed_up_at,
        order_items.product_id,
        products.sku as product_sku,
        products.product_name,
        products.category_code as product_category_code,
        products.category_name as product_category_name,
        products.department as product_department,
        products.brand_code as product_brand_code,
        products.list_price as product_list_price_usd
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join customers
        on order_items.customer_key = customers.customer_key
    left join products
        on order_items.product_key = products.product_key
    left join dates
        on order_items.order_date_key = dates.date_key

)

select * from final
