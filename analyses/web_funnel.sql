{#-
    The web funnel by week, for the funnel dashboard: sessions of human visitors (bots are
    not in fct_sessions), and how many of them reached each step: a product view, an add to
    cart, a checkout, a purchase. Steps are counted per session, whatever their order, with
    each step's share of all sessions; conversion_rate equals the semantic layer's metric.
-#}
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

steps as (

    select
        cast({{ dbt.date_trunc('week', 'session_date') }} as date) as week_start_date,
        session_id,
        product_view_count > 0 as has_product_view,
        add_to_cart_count > 0 as has_add_to_cart,
        has_checkout,
        has_purchase
    from sessions

),

by_week as (

    select
        week_start_date,
        count(*) as sessions,
        sum(case when has_product_view then 1 else 0 end) as product_view_sessions,
        sum(case when has_add_to_cart then 1 else 0 end) as add_to_cart_sessions,
        sum(case when has_checkout then 1 else 0 end) as checkout_sessions,
        sum(case when has_purchase then 1 else 0 end) as purchase_sessions
    from steps
    group by 1

),

final as (

    select
        week_start_date,
        sessions,
        product_view_sessions,
        add_to_cart_sessions,
        checkout_sessions,
        purchase_sessions,
        cast(product_view_sessions as {{ dbt.type_numeric() }}) / sessions as product_view_rate,
        cast(add_to_cart_sessions as {{ dbt.type_numeric() }}) / sessions as add_to_cart_rate,
        cast(checkout_sessions as {{ dbt.type_numeric() }}) / sessions as checkout_rate,
        cast(purchase_sessions as {{ dbt.type_numeric() }}) / sessions as conversion_rate
    from by_week

)

select * from final
order by 1
