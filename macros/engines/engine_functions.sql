{#
    Functions an engine lacks, created before every run (on-run-start). PostgreSQL 15 has no
    try_cast: a bad value would fail a whole staging model instead of reaching quarantine, so
    the postgres variant creates try_cast functions in the schema `util`, each accepting what
    DuckDB's try_cast accepts for the landing data (ISO timestamps only: PostgreSQL alone would
    also read 'yesterday' or '05/01/2026') and returning null for anything else. DuckDB and
    Spark need nothing.
    The functions catch the cast's error (an exception block, i.e. a subtransaction), which
    a parallel worker cannot start: they are left PARALLEL UNSAFE (PostgreSQL's default).
    Declared parallel safe, every base model failed at SF1, where the planner goes parallel.
#}
{% macro create_engine_functions() -%}
    {{ return(adapter.dispatch('shop_create_engine_functions', 'shop_warehouse')()) }}
{%- endmacro %}

{% macro default__shop_create_engine_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__shop_create_engine_functions() -%}
    create schema if not exists util;

    create or replace function util.try_cast_numeric(value text, precision_digits int, scale_digits int)
    returns numeric language plpgsql immutable as $body$
    declare parsed numeric;
    begin
        if value is null or value !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$' then
            return null;
        end if;
        parsed := round(value::numeric, scale_digits);
        if abs(parsed) >= power(10::numeric, precision_digits - scale_digits) then
            return null;
        end if;
        return parsed;
    exception when others then
        return null;
    end
    $body$;

    create or replace function util.try_cast_bigint(value text)
    returns bigint language plpgsql immutable as $body$
    begin
        if value is null or value !~ '^[+-]?[0-9]+([.][0-9]*)?$' then
            return null;
        end if;
        {#- DuckDB rounds a fractional text to the nearest whole number (half away from zero) #}
        return round(value::numeric)::bigint;
    exception when others then
        return null;
    end
    $body$;

    create or replace function util.try_cast_timestamptz(value text)
    returns timestamptz language plpgsql stable as $body$
    begin
        if value is null or value !~ '{{ iso_timestamp_pattern() }}' then
            return null;
        end if;
        return value::timestamptz;
    exception when others then
        return null;
    end
    $body$;
{%- endmacro %}
