{#- obt_order_items denormalises fct_order_items: same lines, same quantities and amounts, and
    every line carries its order, customer and product attributes. -#}
with

star as (

    select
        count(*) as line_count,
        sum(quantity) as unit_count,
        sum(line_amount_usd) as line_amount_usd
    from {{ ref('fct_order_items') }}

),

obt as (

    select
        count(*) as line_count,
        sum(quantity) as unit_count,
        sum(line_amount_usd) as line_amount_usd,
        sum(case when order_status is null then 1 else 0 end) as lines_without_order,
        sum(case when customer_segment is null then 1 else 0 end) as lines_without_customer,
        sum(case when product_category_code is null then 1 else 0 end) as lines_without_product,
        sum(case when order_year is null then 1 else 0 end) as lines_without_date
    from {{ ref('obt_order_items') }}

)

select
    star.line_count as star_line_count,
    obt.line_count as obt_line_count,
    star.unit_count as star_unit_count,
    obt.unit_count as obt_unit_count,
    star.line_amount_usd as star_line_amount_usd,
    obt.line_amount_usd as obt_line_amount_usd,
    obt.lines_without_order,
    obt.lines_without_customer,
    obt.lines_without_product,
    obt.lines_without_date
from star
cross join obt
where
    star.line_count != obt.line_count
    or star.unit_count != obt.unit_count
    or star.line_amount_usd != obt.line_amount_usd
    or obt.lines_without_order + obt.lines_without_customer
    + obt.lines_without_product + obt.lines_without_date > 0
